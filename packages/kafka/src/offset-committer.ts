import type { Consumer } from "kafkajs";

/**
 * Commits a consumer's handled offsets in the background, at most once per interval, all partitions in one
 * request. Committing after every message cost the broker more than the messages did: on the pipeline
 * benchmark OffsetCommit was 24 of ~53 requests per job (profiled on the real broker), each one a write to
 * `__consumer_offsets`. At-least-once holds: an offset is handed in only after its message's effects, and a
 * crash before its commit redelivers at most one interval's messages (every handler is idempotent), never
 * skips one. Commits go out one at a time, so a partition's committed position only moves forward.
 */
export interface OffsetCommitter {
  /** `offset` of `topic`/`partition` was handled: it is committed within the interval. */
  done(topic: string, partition: number, offset: string): void;
  /** Commits everything handed in so far, now; throws the commit's failure (the offsets stay pending). */
  flush(): Promise<void>;
  /** After a rebalance: forgets offsets of partitions this member no longer owns (their new owner re-reads). */
  retain(assignment: Record<string, number[]>): void;
  /** Stops the timer; call flush() first to keep the work done. */
  close(): void;
}

/** One partition's next offset to read, as OffsetCommit wants it. */
export interface CommitOffset {
  topic: string;
  partition: number;
  offset: string;
}

export function createOffsetCommitter(opts: {
  commit(offsets: CommitOffset[]): Promise<void>;
  /** Longest an offset waits for its commit; 0 commits as soon as the previous commit returned. */
  intervalMs: number;
  /** A background commit failed (the offsets stay pending and go with the next one). */
  onError(err: unknown): void;
}): OffsetCommitter {
  const pending = new Map<string, { topic: string; partition: number; next: bigint }>();
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** The member's partitions as of the last rebalance (undefined before the first). */
  let owned: Record<string, number[]> | undefined;
  const owns = (p: { topic: string; partition: number }) =>
    !owned || (owned[p.topic]?.includes(p.partition) ?? false);

  const commitPending = async (): Promise<void> => {
    while (running) await running.catch(() => {});
    if (!pending.size) return;
    const batch = [...pending.entries()];
    pending.clear();
    running = opts.commit(
      batch.map(([, p]) => ({ topic: p.topic, partition: p.partition, offset: p.next.toString() })),
    );
    try {
      await running;
    } catch (err) {
      // Back in the queue unless a later offset of the same partition arrived meanwhile, or a rebalance
      // took the partition away while the commit was out (its new owner commits it).
      for (const [key, p] of batch) {
        const newer = pending.get(key);
        if (owns(p) && (!newer || newer.next < p.next)) pending.set(key, p);
      }
      throw err;
    } finally {
      running = undefined;
    }
  };

  const schedule = () => {
    if (timer || closed || !pending.size) return;
    timer = setTimeout(() => {
      timer = undefined;
      commitPending()
        .catch((err: unknown) => opts.onError(err))
        .finally(schedule);
    }, opts.intervalMs);
  };

  return {
    done(topic, partition, offset) {
      const key = `${topic}\u0000${partition}`;
      const next = BigInt(offset) + 1n;
      const known = pending.get(key);
      if (!known || known.next < next) pending.set(key, { topic, partition, next });
      schedule();
    },
    flush: commitPending,
    retain(assignment) {
      owned = assignment;
      for (const [key, p] of pending) if (!owns(p)) pending.delete(key);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Final commit on shutdown: flush() bounded by `deadline` (epoch ms), then close(). Never throws. */
export async function commitWithin(
  committer: OffsetCommitter,
  deadline: number,
  onError: (err: unknown) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Error>((resolve) => {
    timer = setTimeout(
      () => resolve(new Error("final commit timed out")),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    const outcome = await Promise.race([
      committer.flush().then(
        () => undefined,
        (err: unknown) => err,
      ),
      late,
    ]);
    if (outcome) onError(outcome);
  } finally {
    clearTimeout(timer);
    committer.close();
  }
}

/**
 * The committer of a kafkajs consumer, following its membership: after a rebalance it keeps only the
 * partitions the member still owns; after a crash (kafkajs has left the group) none, since the restart
 * rejoins and reads from the committed offsets. Both consumers of this package use it.
 */
export function attachOffsetCommitter(
  consumer: Consumer,
  opts: { intervalMs: number; onError(err: unknown): void },
): OffsetCommitter {
  const committer = createOffsetCommitter({
    commit: (offsets) => consumer.commitOffsets(offsets),
    intervalMs: opts.intervalMs,
    onError: opts.onError,
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => committer.retain(payload.memberAssignment));
  consumer.on(consumer.events.CRASH, () => committer.retain({}));
  return committer;
}
