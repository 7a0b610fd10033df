import { type TopicDef, type TopicKey, topics } from "@postprocess/contracts";
import type { EachBatchPayload, Kafka } from "kafkajs";
import { closeWithin } from "./close-within.ts";
import type { Codec } from "./codec.ts";
import { failureTopics } from "./dead-letter.ts";
import type { Handlers, NoContextKeys } from "./handler.ts";
import { createLanes } from "./lanes.ts";
import { createJsonLogger, type Logger } from "./logger.ts";
import { runWithManualCommits } from "./manual-commit.ts";
import { attachOffsetCommitter, commitWithin } from "./offset-committer.ts";
import { createMessageProcessor, type Route } from "./process-message.ts";
import { createIdempotentProducer } from "./producer.ts";
import { defaultRetryPolicy, type RetryPolicy } from "./retry-policy.ts";

/** Options of a consumer; `handlers` decides what it subscribes to. */
export type ConsumerOptions<K extends TopicKey, Deps extends object> = {
  groupId: string;
  /** Prepended to every topic name, including the group's retry and DLQ topics. */
  topicPrefix?: string;
  handlers: Handlers<K, Deps>;
  retry?: Partial<RetryPolicy>;
  /** The broker evicts a member silent this long (default 30 s); heartbeats continue during long handlers. */
  sessionTimeout?: number;
  /** Heartbeat period, also while a handler runs (default 3 s, at most a third of sessionTimeout). */
  heartbeatInterval?: number;
  /** How long a rebalance waits for members to rejoin (default 60 s). */
  rebalanceTimeout?: number;
  /**
   * Longest the broker holds a fetch that finds no new data (default 500 ms). It does not delay a hop: the
   * broker answers as soon as one message is there (minBytes 1). It only spaces out empty polls, each of
   * which costs this process and the broker CPU (with the 8 services idle, going from 100 to 500 ms took the
   * broker from ≈ 9% to ≈ 3% of a core).
   */
  maxWaitTimeInMs?: number;
  /**
   * Least data the broker gathers for a fetch before answering, waiting at most `maxWaitTimeInMs` (default
   * 1 byte: answer as soon as anything is there). A consumer that can wait trades that latency for fewer
   * fetches, each of which costs this process and the broker CPU.
   */
  minBytes?: number;
  /** Where a brand-new group starts; default true, so events published before the first deploy are handled. */
  fromBeginning?: boolean;
  /** Handlers running at once across this member's partitions (default 1); a partition is always handled in order, one message at a time (see lanes.ts). */
  concurrency?: number;
  /**
   * Longest a handled message's offset waits for its commit (default 1000 ms; see offset-committer.ts). A
   * crash redelivers at most this much work; 0 commits after every message.
   */
  commitIntervalMs?: number;
  logger?: Logger;
} & (Empty extends Deps ? { deps?: Deps & NoContextKeys } : { deps: Deps & NoContextKeys });

/** No deps at all; then `deps` may be left out. */
type Empty = Record<never, never>;

/** A consumer group member (single use: start once, stop once). */
export interface Consumer {
  /** Connects, subscribes and joins the group; resolves once partitions are assigned. */
  start(): Promise<void>;
  /**
   * Stops within `timeoutMs`: no new messages, handlers' signal aborted, in-flight handlers awaited until
   * the grace period ends; finished ones are committed, unfinished ones stay uncommitted (redelivered).
   */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Creates a typed, at-least-once consumer: each message's offset is committed only after its handler's
 * promise resolved. Failures follow the retry policy: in place, then `<group>.retry`, then `<group>.dlq`.
 */
export function createConsumer<K extends TopicKey, Deps extends object = object>(
  kafka: Kafka,
  codec: Codec,
  opts: ConsumerOptions<K, Deps>,
): Consumer {
  const log = opts.logger ?? createJsonLogger();
  const prefix = opts.topicPrefix ?? "";
  const { groupId } = opts;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...opts.retry };
  const sessionTimeout = opts.sessionTimeout ?? 30_000;
  const heartbeatInterval = opts.heartbeatInterval ?? Math.min(3000, Math.floor(sessionTimeout / 3));
  const failure = failureTopics(prefix, groupId);

  const routes = new Map<string, Route>();
  for (const key of Object.keys(opts.handlers) as K[]) {
    const def = topics[key] as TopicDef;
    routes.set(prefix + def.name, { def, handle: opts.handlers[key] as Route["handle"] });
  }
  const sources = [...routes.keys()];

  const consumer = kafka.consumer({
    // The prefix isolates the group as it isolates the topics: two environments (two end-to-end runs) on one
    // broker must not share a group, or the broker would hand one run's partitions to the other's members.
    groupId: prefix + groupId,
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: opts.rebalanceTimeout ?? 60_000,
    maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 500,
    minBytes: opts.minBytes ?? 1,
    allowAutoTopicCreation: false,
  });
  const producer = createIdempotentProducer(kafka);

  const shutdown = new AbortController();
  const drained = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let started = false;
  let stopping: Promise<void> | undefined;

  const committer = attachOffsetCommitter(consumer, {
    intervalMs: opts.commitIntervalMs ?? 1000,
    onError: (err) => log.warn({ groupId, err }, "offset commit failed; retried with the next one"),
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    lanes.reassigned(payload.memberAssignment);
    log.info(
      { groupId, memberId: payload.memberId, assignment: payload.memberAssignment },
      "partitions assigned",
    );
  });
  consumer.on(consumer.events.REBALANCING, ({ payload }) =>
    log.info({ groupId, memberId: payload.memberId }, "group is rebalancing"),
  );
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) =>
    log.debug({ groupId, topics: payload.topics }, "offsets committed"),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    // kafkajs has left the group: what the lanes hold is another member's now (a restart rejoins and
    // reads from the committed offsets).
    lanes.reassigned({});
    log.error({ groupId, error: payload.error, restart: payload.restart }, "consumer crashed");
  });

  const processor = createMessageProcessor({
    groupId,
    routes,
    codec,
    producer,
    policy,
    topics: failure,
    deps: opts.deps ?? {},
    log,
    shutdown: shutdown.signal,
    drained: drained.signal,
  });

  const lanes = createLanes({
    concurrency: opts.concurrency ?? 1,
    stopping: shutdown.signal,
    async process(topic, partition, message) {
      let waitMs = 0;
      const outcome = await processor.process(topic, partition, message, (ms) => {
        waitMs = ms;
      });
      return outcome === "wait" ? { waitMs } : outcome;
    },
    done: (topic, partition, offset) => committer.done(topic, partition, offset),
    pause: (topic, partition) => pauseSafely(() => consumer.pause([{ topic, partitions: [partition] }])),
    resume(topic, partition) {
      // stop() paused every topic: a lane draining meanwhile must not undo that.
      if (!shutdown.signal.aborted) pauseSafely(() => consumer.resume([{ topic, partitions: [partition] }]));
    },
    onError: (err, at) =>
      log.error(
        { groupId, ...at, err },
        "could not route a failed message (retry or DLQ publish); trying again",
      ),
  });

  /** Between a crash and kafkajs's restart there is no group to pause or resume in: nothing to do then. */
  const pauseSafely = (call: () => void) => {
    try {
      call();
    } catch (err) {
      log.debug({ groupId, err }, "pause/resume skipped: the consumer is not in its group");
    }
  };

  /** kafkajs hands a fetched batch over: it is queued in its partition's lane and kafkajs fetches on. */
  const processBatch = async (payload: EachBatchPayload) => {
    const { batch } = payload;
    if (shutdown.signal.aborted || !payload.isRunning() || payload.isStale()) return;
    // Where the fetch started (kafkajs sets it; its types omit it): lets a lane refuse a stale fetch.
    const fetchedOffset = (batch as { fetchedOffset?: string }).fetchedOffset;
    if (!lanes.enqueue(batch.topic, batch.partition, batch.messages, fetchedOffset)) return;
    const last = batch.messages.at(-1);
    if (last) payload.resolveOffset(last.offset);
  };

  return {
    async start() {
      // Single use: the shutdown signal handlers saw cannot be un-aborted.
      if (started || stopping) throw new Error(`consumer of ${groupId} was already started`);
      await assertTopicsExist(kafka, [...sources, failure.retry, failure.dlq]);
      started = true;
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: sources, fromBeginning: opts.fromBeginning ?? true });
      // The retry topic is the group's own: everything on it is still owed, whatever fromBeginning says.
      await consumer.subscribe({ topics: [failure.retry], fromBeginning: true });
      await runWithManualCommits(consumer, { concurrency: 1, inFlight, processBatch });
      log.info({ groupId, topics: sources, retryTopic: failure.retry }, "consumer started");
    },

    stop(timeoutMs = 10_000) {
      stopping ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        shutdown.abort();
        if (started) {
          try {
            consumer.pause([...sources, failure.retry].map((topic) => ({ topic })));
          } catch {
            // Not running yet (start failed half-way): nothing is fetched anyway.
          }
        }
        // Keep part of the budget for leaving the group and closing connections.
        const reserve = Math.min(2000, timeoutMs / 3);
        const grace = setTimeout(() => drained.abort(), Math.max(0, deadline - reserve - Date.now()));
        await Promise.allSettled(inFlight);
        await lanes.drain();
        clearTimeout(grace);
        drained.abort();
        // The work finished so far is committed before leaving, so the next owner does not redo it.
        await commitWithin(committer, deadline - reserve / 2, (err) =>
          log.warn({ groupId, err }, "final offset commit failed; the next owner redelivers those messages"),
        );
        await closeWithin(
          async () => {
            await consumer.disconnect();
            await producer.disconnect();
          },
          deadline,
          log,
          groupId,
        );
      })().catch((err: unknown) => log.error({ groupId, err }, "consumer stop failed"));
      return stopping;
    },
  };
}

/** Fails fast and clearly when the bootstrap did not run (auto-creation is off on purpose). */
async function assertTopicsExist(kafka: Kafka, names: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((n) => !existing.has(n));
    if (missing.length) {
      throw new Error(
        `missing topics ${missing.join(", ")}: run ensureTopics() with this group before starting`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}
