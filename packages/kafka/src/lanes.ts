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
 *   are dropped (after their running message), lanes of kept ones skip what they already handled or run.
 */
export interface Lanes {
  /** Queues a fetched batch (messages a lane already has or handled are skipped). */
  enqueue(topic: string, partition: number, messages: readonly KafkaMessage[]): void;
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
};

export function createLanes(opts: LaneOptions): Lanes {
  const lanes = new Map<string, Lane>();
  const highWater = Math.max(2, opts.highWater ?? 100);
  const permits = createPermits(Math.max(1, opts.concurrency));
  const laneKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  const run = async (lane: Lane) => {
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
    lane.running = run(lane).finally(() => {
      lane.running = undefined;
      // Messages queued while the loop was on its way out.
      if (lane.queue.length && !lane.revoked && !opts.stopping.aborted) kick(lane);
    });
  };

  return {
    enqueue(topic, partition, messages) {
      const key = laneKey(topic, partition);
      let lane = lanes.get(key);
      if (!lane) {
        lane = { topic, partition, queue: [], next: -1n, handled: -1n, paused: false, revoked: false };
        lanes.set(key, lane);
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
    },
    reassigned(assignment) {
      for (const [key, lane] of lanes) {
        const kept = assignment[lane.topic]?.includes(lane.partition) ?? false;
        if (!kept) {
          // Its running message finishes, uncommitted; the new owner reads from the committed offset.
          lane.revoked = true;
          lane.queue = [];
          lanes.delete(key);
          continue;
        }
        // kafkajs re-reads a kept partition from its committed offset: what was only queued comes again,
        // what ran or is running is skipped.
        lane.queue = lane.current ? [lane.current] : [];
        lane.next = lane.current ? BigInt(lane.current.offset) + 1n : lane.handled;
        if (lane.paused) {
          lane.paused = false;
          opts.resume(lane.topic, lane.partition);
        }
      }
    },
    async drain() {
      await Promise.allSettled([...lanes.values()].flatMap((l) => (l.running ? [l.running] : [])));
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
