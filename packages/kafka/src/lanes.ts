import type { KafkaMessage } from "kafkajs";
import { sleep } from "./abortable.ts";

/** What became of one message in its lane: handled (commit it), shutdown caught it, or not due yet. */
export type LaneOutcome = "done" | "abandon" | { waitMs: number };

/**
 * One queue per partition between kafkajs and the handlers. kafkajs fetches, hands every partition's batch
 * over, and fetches again only once ALL of them were handled; one slow message (an SMTP send, a PDF) held
 * up every other partition of its consumer, and on the pipeline benchmark most of a job's latency was
 * spent waiting in front of busy workers for that. Here a batch is queued and kafkajs fetches on at once,
 * so each partition moves at its own pace:
 *
 * - a lane handles its messages one at a time, in offset order; at most `concurrency` handlers run at once
 *   across all lanes;
 * - a lane holding `highWater` messages pauses its partition, and resumes it once it is down to half;
 * - offsets are handed to `done` (the committer) only after their message was handled, so commits still
 *   follow effects: a crash redelivers what was queued or running, never skips it;
 * - after a rebalance kafkajs re-reads every partition from its committed offset: lanes of lost partitions
 *   are dropped (after their running message, which a new lane of the same partition waits for), lanes of
 *   kept ones skip what they already handled or run. A batch fetched before the rebalance that arrives
 *   after it (kafkajs does not stop every fetcher when a fetch triggers the rejoin) is refused unread —
 *   for a partition no longer owned, or one read from past the point the lane restarts from — so nothing
 *   between the two is skipped. A message running when its partition is revoked may also be started by the
 *   new owner before it ends: handlers are idempotent, and order holds again from there.
 */
export interface Lanes {
  /**
   * Queues a fetched batch (messages a lane already has or handled are skipped); false when the batch is
   * refused (see above) — its offsets must then not be resolved, kafkajs reads them again.
   * `fetchedOffset`: the offset the fetch started at.
   */
  enqueue(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    fetchedOffset?: string,
  ): boolean;
  /** The member's assignment after a rebalance. */
  reassigned(assignment: Record<string, number[]>): void;
  /** Stops every lane after its running message; resolves once those returned. */
  drain(): Promise<void>;
}

export interface LaneOptions {
  concurrency: number;
  /** Queued messages per partition before it is paused (default 100). */
  highWater?: number;
  process(topic: string, partition: number, message: KafkaMessage): Promise<LaneOutcome>;
  /** The message was handled; its offset may be committed. */
  done(topic: string, partition: number, offset: string): void;
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
  /** `process` itself failed (e.g. the dead-letter publish): the lane retries the message after `retryMs`. */
  onError(err: unknown, at: { topic: string; partition: number; offset: string }): void;
  retryMs?: number;
  /** Aborted on shutdown: lanes stop after their running message, waits end. */
  stopping: AbortSignal;
}

type Lane = {
  topic: string;
  partition: number;
  queue: KafkaMessage[];
  /** Offsets below this were queued, are running or were handled by this member. */
  next: bigint;
  /** Offsets below this were handled by this member. */
  handled: bigint;
  running?: Promise<void>;
  current?: KafkaMessage;
  paused: boolean;
  revoked: boolean;
  /**
   * After a rebalance: the first unhandled offset the lane had. kafkajs re-reads from the committed offset,
   * which is at or before it; a fetch starting later was made before the rebalance and is refused.
   */
  restartAt?: bigint;
  /** The loop of this partition's previous lane (revoked while its message ran): run after it ends. */
  after?: Promise<void>;
};

export function createLanes(opts: LaneOptions): Lanes {
  const lanes = new Map<string, Lane>();
  /** Loops of revoked lanes still finishing their message, by partition. */
  const retiring = new Map<string, Promise<void>>();
  /** The member's partitions as of the last rebalance (undefined before the first). */
  let owned: Record<string, number[]> | undefined;
  const highWater = Math.max(2, opts.highWater ?? 100);
  const permits = createPermits(Math.max(1, opts.concurrency));
  const laneKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  const run = async (lane: Lane) => {
    // The partition's previous owner on this member first finishes its message (never two at once).
    if (lane.after) await lane.after;
    lane.after = undefined;
    while (lane.queue.length && !lane.revoked && !opts.stopping.aborted) {
      const message = lane.queue[0]!;
      lane.current = message;
      await permits.acquire();
      let outcome: LaneOutcome | "error";
      try {
        if (lane.revoked || opts.stopping.aborted) return;
        outcome = await opts.process(lane.topic, lane.partition, message);
      } catch (err) {
        opts.onError(err, { topic: lane.topic, partition: lane.partition, offset: message.offset });
        outcome = "error";
      } finally {
        permits.release();
        lane.current = undefined;
      }
      if (outcome === "abandon") return;
      if (outcome === "error" || typeof outcome === "object") {
        const ms = outcome === "error" ? (opts.retryMs ?? 1000) : outcome.waitMs;
        if (!(await sleep(ms, opts.stopping))) return;
        continue;
      }
      lane.queue.shift();
      lane.handled = BigInt(message.offset) + 1n;
      if (!lane.revoked) opts.done(lane.topic, lane.partition, message.offset);
      if (lane.paused && lane.queue.length <= highWater / 2 && !lane.revoked) {
        lane.paused = false;
        opts.resume(lane.topic, lane.partition);
      }
    }
  };
  const kick = (lane: Lane) => {
    if (lane.running) return;
    lane.running = run(lane)
      .catch((err: unknown) =>
        opts.onError(err, {
          topic: lane.topic,
          partition: lane.partition,
          offset: lane.current?.offset ?? "-1",
        }),
      )
      .finally(() => {
        lane.running = undefined;
        // Messages queued while the loop was on its way out.
        if (lane.queue.length && !lane.revoked && !opts.stopping.aborted) kick(lane);
      });
  };

  return {
    enqueue(topic, partition, messages, fetchedOffset) {
      if (owned && !owned[topic]?.includes(partition)) return false;
      const key = laneKey(topic, partition);
      let lane = lanes.get(key);
      if (!lane) {
        lane = {
          topic,
          partition,
          queue: [],
          next: -1n,
          handled: -1n,
          paused: false,
          revoked: false,
          after: retiring.get(key),
        };
        lanes.set(key, lane);
      }
      if (lane.restartAt !== undefined) {
        if (fetchedOffset !== undefined && BigInt(fetchedOffset) > lane.restartAt) return false;
        lane.restartAt = undefined;
      }
      for (const m of messages) {
        const offset = BigInt(m.offset);
        if (offset < lane.next) continue;
        lane.queue.push(m);
        lane.next = offset + 1n;
      }
      if (lane.queue.length >= highWater && !lane.paused) {
        lane.paused = true;
        opts.pause(topic, partition);
      }
      kick(lane);
      return true;
    },
    reassigned(assignment) {
      owned = assignment;
      for (const [key, lane] of lanes) {
        const kept = assignment[lane.topic]?.includes(lane.partition) ?? false;
        if (!kept) {
          // Its running message finishes, uncommitted; the new owner reads from the committed offset. A
          // pause outlives the assignment in kafkajs: lifted, or the partition would never be read here again.
          lane.revoked = true;
          lane.queue = [];
          lanes.delete(key);
          if (lane.paused) opts.resume(lane.topic, lane.partition);
          if (lane.running) {
            const done = lane.running;
            retiring.set(key, done);
            // `running` never rejects (kick catches what the loop throws).
            void done.finally(() => {
              if (retiring.get(key) === done) retiring.delete(key);
            });
          }
          continue;
        }
        // kafkajs re-reads a kept partition from its committed offset: what was only queued comes again,
        // what ran or is running is skipped.
        const running = lane.current ? BigInt(lane.current.offset) : undefined;
        const firstQueued = lane.queue[0] ? BigInt(lane.queue[0].offset) : undefined;
        lane.restartAt = running !== undefined ? running + 1n : (firstQueued ?? lane.next);
        lane.queue = lane.current ? [lane.current] : [];
        lane.next = running !== undefined ? running + 1n : lane.handled;
        if (lane.paused) {
          lane.paused = false;
          opts.resume(lane.topic, lane.partition);
        }
      }
    },
    async drain() {
      await Promise.allSettled([
        ...[...lanes.values()].flatMap((l) => (l.running ? [l.running] : [])),
        ...retiring.values(),
      ]);
    },
  };
}

/** A counting semaphore: at most `n` holders. */
function createPermits(n: number) {
  let free = n;
  const waiting: (() => void)[] = [];
  return {
    acquire(): Promise<void> {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}
