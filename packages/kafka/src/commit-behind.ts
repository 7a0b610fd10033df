/**
 * Commits one partition's finished offsets behind its handlers: the commit of message N travels while the
 * handler of N+1 already runs, instead of N+1 waiting a broker round trip for it. While a commit is in
 * flight, offsets finished meanwhile are coalesced into the next one (only the latest matters: a committed
 * offset covers every message before it). Commits go out one at a time, so the group's position only moves
 * forward. At-least-once holds: an offset is handed in only after its message's effects, and a crash before
 * its commit lands redelivers the message rather than skipping it.
 */
export interface CommitBehind {
  /** `offset` was handled: commit it now, or right after the commit in flight. Throws an earlier commit's failure. */
  done(offset: string): void;
  /** Waits until every handed-in offset is committed; throws the failure of any commit. */
  flush(): Promise<void>;
}

export function commitBehind(commit: (offset: string) => Promise<void>): CommitBehind {
  let latest: string | undefined;
  let running: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;

  const kick = () => {
    if (running || failure) return;
    running = (async () => {
      try {
        while (latest !== undefined) {
          const offset = latest;
          latest = undefined;
          await commit(offset);
        }
      } catch (error) {
        // Kept for the partition's loop to throw (a rebalance must reach kafkajs so it rejoins).
        failure = { error };
      } finally {
        running = undefined;
      }
    })();
  };

  return {
    done(offset) {
      if (failure) throw failure.error;
      latest = offset;
      kick();
    },
    async flush() {
      while (running) await running;
      if (failure) throw failure.error;
    },
  };
}
