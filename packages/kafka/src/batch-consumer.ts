import { type EventOf, type TopicDef, type TopicKey, topics } from "@postprocess/contracts";
import type { EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import { raceAbort, sleep } from "./abortable.ts";
import { closeWithin } from "./close-within.ts";
import type { Codec } from "./codec.ts";
import type { Consumer } from "./consumer.ts";
import { failureTopics, publishDeadLetter } from "./dead-letter.ts";
import { asError, dispositionOf, PoisonMessageError } from "./errors.ts";
import { H, type Headers, readHeaders } from "./headers.ts";
import { createJsonLogger, type Logger } from "./logger.ts";
import { runWithManualCommits } from "./manual-commit.ts";
import { attachOffsetCommitter, commitWithin } from "./offset-committer.ts";
import { createIdempotentProducer } from "./producer.ts";
import { backoffMs, defaultRetryPolicy, type RetryPolicy } from "./retry-policy.ts";

/** Where one event of a batch came from. */
export interface BatchMeta {
  topic: string;
  partition: number;
  offset: string;
  headers: Headers;
  processingId: string | undefined;
}

/** One decoded event of a batch, tagged with its catalog topic so a `switch` on `topic` narrows `event`. */
export type BatchEvent<K extends TopicKey> = {
  [P in K]: { topic: P; event: EventOf<P>; meta: BatchMeta };
}[K];

/** Events the handler refuses one by one (e.g. an unknown account): they go to the dead-letter topic. */
export interface BatchResult {
  rejected?: { index: number; error: Error }[];
}

export type BatchHandler<K extends TopicKey> = (
  events: BatchEvent<K>[],
  ctx: { signal: AbortSignal; log: Logger },
) => Promise<BatchResult | undefined>;

export interface BatchConsumerOptions<K extends TopicKey> {
  groupId: string;
  topicPrefix?: string;
  /** The topics to fold; `handleBatch` receives their events as a union it must handle. */
  topics: readonly K[];
  handleBatch: BatchHandler<K>;
  /** Largest batch handed to the handler (a Kafka batch is cut into chunks of this size). */
  maxBatchSize?: number;
  /** Handler calls at once when a backlog of maxBatchSize events or more is waiting (default 3; else one). */
  maxParallelFolds?: number;
  retry?: Partial<RetryPolicy>;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  /** Longest the broker holds an empty fetch (default 500 ms; see ConsumerOptions: it delays no event). */
  maxWaitTimeInMs?: number;
  /** Partitions folded at once by this member. */
  concurrency?: number;
  fromBeginning?: boolean;
  /** Longest a folded chunk's offsets wait for their commit (default 1000 ms; see offset-committer.ts). */
  commitIntervalMs?: number;
  logger?: Logger;
}

/**
 * A consumer for state-folding services (the projector): the handler gets a whole chunk of a Kafka batch and
 * writes it in one transaction; the chunk's offsets are committed only after the handler resolved.
 *
 * Failures, unlike the per-message consumer, never reorder or skip: a retriable error (the database is down)
 * retries the chunk in place, backing off up to the policy's cap, for as long as it takes; a non-retriable one
 * bisects the chunk until the offending event is alone, and dead-letters just that event. Undecodable messages
 * are dead-lettered before the handler sees the chunk. So one bad event never holds up its partition, and an
 * outage holds it up exactly as long as the outage lasts.
 */
export function createBatchConsumer<K extends TopicKey>(
  kafka: Kafka,
  codec: Codec,
  opts: BatchConsumerOptions<K>,
): Consumer {
  const log = opts.logger ?? createJsonLogger();
  const prefix = opts.topicPrefix ?? "";
  const { groupId } = opts;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...opts.retry };
  const maxBatch = opts.maxBatchSize ?? 1000;
  const maxParallelFolds = Math.max(1, opts.maxParallelFolds ?? 3);
  const sessionTimeout = opts.sessionTimeout ?? 30_000;
  const heartbeatInterval = opts.heartbeatInterval ?? Math.min(3000, Math.floor(sessionTimeout / 3));
  const { dlq } = failureTopics(prefix, groupId);
  const routes = new Map<string, { key: K; def: TopicDef }>(
    opts.topics.map((key) => [prefix + topics[key].name, { key, def: topics[key] as TopicDef }]),
  );

  const consumer = kafka.consumer({
    // The prefix isolates the group as it isolates the topics: two environments (two end-to-end runs) on one
    // broker must not share a group, or the broker would hand one run's partitions to the other's members.
    groupId: prefix + groupId,
    sessionTimeout,
    heartbeatInterval,
    maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 500,
    allowAutoTopicCreation: false,
  });
  const producer = createIdempotentProducer(kafka);
  const committer = attachOffsetCommitter(consumer, {
    intervalMs: opts.commitIntervalMs ?? 1000,
    onError: (err) => log.warn({ groupId, err }, "offset commit failed; retried with the next one"),
  });
  const shutdown = new AbortController();
  const drained = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let stopping: Promise<void> | undefined;

  const deadLetter = async (message: KafkaMessage, meta: BatchMeta, error: Error) => {
    await publishDeadLetter(producer, dlq, {
      message,
      headers: meta.headers,
      origin: { topic: meta.topic, partition: meta.partition, offset: meta.offset },
      error,
      attempts: 1,
    });
    log.error(
      {
        groupId,
        topic: meta.topic,
        partition: meta.partition,
        offset: meta.offset,
        errorClass: error.name,
        error: error.message,
        dlq,
      },
      "message dead-lettered",
    );
  };

  type Item = { message: KafkaMessage; event: BatchEvent<K> };

  /** One handler call on `items`, raced with the end of the shutdown grace period. */
  const attempt = async (
    items: Item[],
  ): Promise<{ finished: false } | { finished: true; result?: BatchResult; error?: Error }> => {
    let error: Error | undefined;
    let result: BatchResult | undefined;
    const run = Promise.resolve()
      .then(() =>
        opts.handleBatch(
          items.map((i) => i.event),
          { signal: shutdown.signal, log },
        ),
      )
      .then(
        (r) => {
          result = r;
        },
        (err: unknown) => {
          error = asError(err);
        },
      );
    const finished = await raceAbort(
      run.then(() => true),
      drained.signal,
      () => false,
    );
    return finished ? { finished, result, error } : { finished };
  };

  const deadLetterRejected = async (items: Item[], result: BatchResult | undefined) => {
    for (const r of result?.rejected ?? []) {
      const item = items[r.index];
      if (item) await deadLetter(item.message, item.event.meta, r.error);
    }
  };

  /** Runs the handler on `items` until it succeeds; false when shutdown abandoned it. */
  const fold = async (items: Item[]): Promise<boolean> => {
    for (let n = 1; ; n++) {
      const a = await attempt(items);
      if (!a.finished || (a.error && shutdown.signal.aborted)) return false;
      const { error } = a;
      if (!error) {
        await deadLetterRejected(items, a.result);
        return true;
      }
      if (dispositionOf(error) === "non-retriable") {
        if (items.length === 1) {
          await deadLetter(items[0]!.message, items[0]!.event.meta, error);
          return true;
        }
        // Find the offending event: halves are folded (and committed) in order.
        const mid = Math.ceil(items.length / 2);
        log.warn({ groupId, size: items.length, error: error.message }, "batch refused, bisecting");
        return (await fold(items.slice(0, mid))) && (await fold(items.slice(mid)));
      }
      const delayMs = backoffMs(Math.min(n, 20), policy);
      log.warn(
        { groupId, size: items.length, attempt: n, delayMs, errorClass: error.name, error: error.message },
        "batch failed, retrying in place",
      );
      if (!(await sleep(delayMs, shutdown.signal))) return false;
    }
  };

  /**
   * Group commit: the chunks of every partition in one fetch (kafkajs hands them over concurrently) are
   * folded by ONE handler call — one transaction, one status publish — instead of one each. Chunks that
   * arrive while a fold runs wait and go together in the next. On the pipeline benchmark a job's ~16 events
   * took ~7 transactions of ~12 statements; that, not the events, was most of the projector's and
   * PostgreSQL's CPU. Order is not a concern: the handler's fold is order-independent across partitions,
   * and a partition's next chunk is only read after its current one is folded. If the shared call fails,
   * each chunk falls back to folding alone (retry in place, bisection), so one bad event still only
   * dead-letters itself.
   */
  type Waiting = { items: Item[]; settle(outcome: "folded" | "alone" | "abandoned"): void };
  const queue: Waiting[] = [];
  const foldGroup = async (group: Waiting[]) => {
    if (group.length === 1) {
      const [only] = group as [Waiting];
      only.settle((await fold(only.items)) ? "folded" : "abandoned");
      return;
    }
    const items = group.flatMap((w) => w.items);
    const a = await attempt(items);
    if (!a.finished || (a.error && shutdown.signal.aborted)) {
      for (const w of group) w.settle("abandoned");
      return;
    }
    if (a.error) {
      log.warn(
        { groupId, chunks: group.length, size: items.length, error: a.error.message },
        "shared fold failed; folding each partition's chunk alone",
      );
      for (const w of group) w.settle("alone");
      return;
    }
    await deadLetterRejected(items, a.result);
    for (const w of group) w.settle("folded");
  };
  let running = 0;
  let scheduled = false;
  const queuedEvents = () => queue.reduce((n, w) => n + w.items.length, 0);
  const drain = () => {
    if (scheduled || !queue.length) return;
    // One fold at a time while events trickle in: they batch up behind it. A backlog of a whole batch or
    // more (a replay, a restart) starts another, up to maxParallelFolds, so PostgreSQL works on several.
    if (running > 0 && (running >= maxParallelFolds || queuedEvents() < maxBatch)) return;
    scheduled = true;
    // Let every partition of the fetch that is being handed over join before the fold starts.
    setImmediate(() => {
      scheduled = false;
      if (!queue.length) return;
      // Whole chunks up to maxBatch events (at least one chunk).
      let count = 1;
      let size = queue[0]!.items.length;
      while (count < queue.length && size + queue[count]!.items.length <= maxBatch) {
        size += queue[count]!.items.length;
        count++;
      }
      const group = queue.splice(0, count);
      running++;
      foldGroup(group)
        .catch((err: unknown) => {
          log.error({ groupId, err }, "shared fold crashed; folding each chunk alone");
          for (const w of group) w.settle("alone");
        })
        .finally(() => {
          running--;
          drain();
        });
      drain();
    });
  };
  const foldShared = async (items: Item[]): Promise<boolean> => {
    const outcome = await new Promise<"folded" | "alone" | "abandoned">((settle) => {
      queue.push({ items, settle });
      drain();
    });
    if (outcome === "alone") return fold(items);
    return outcome === "folded";
  };

  const processBatch = async (payload: EachBatchPayload) => {
    const { topic, partition, messages } = payload.batch;
    const route = routes.get(topic);
    if (!route) return;
    const beat = setInterval(() => {
      payload
        .heartbeat()
        .catch((err: unknown) => log.debug({ groupId, topic, partition, err }, "heartbeat failed"));
    }, heartbeatInterval);
    try {
      for (let start = 0; start < messages.length; start += maxBatch) {
        if (shutdown.signal.aborted || !payload.isRunning() || payload.isStale()) return;
        const chunk = messages.slice(start, start + maxBatch);
        const items: Item[] = [];
        for (const message of chunk) {
          const headers = readHeaders(message.headers);
          const meta: BatchMeta = {
            topic,
            partition,
            offset: message.offset,
            headers,
            processingId: headers[H.processingId],
          };
          try {
            const event = (await codec.decode(message.value, route.def.schema)) as EventOf<K>;
            items.push({ message, event: { topic: route.key, event, meta } as BatchEvent<K> });
          } catch (err) {
            const e = asError(err);
            // A registry outage is not the message's fault: hold the partition until it is back.
            if (dispositionOf(e) === "retriable") throw e;
            await deadLetter(
              message,
              meta,
              e instanceof PoisonMessageError ? e : new PoisonMessageError(e.message, { cause: e }),
            );
          }
        }
        if (items.length && !(await foldShared(items))) return;
        const last = chunk.at(-1)!.offset;
        payload.resolveOffset(last);
        committer.done(topic, partition, last);
      }
    } finally {
      clearInterval(beat);
    }
  };

  return {
    async start() {
      if (stopping) throw new Error(`consumer of ${groupId} was stopped`);
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [...routes.keys()], fromBeginning: opts.fromBeginning ?? true });
      await runWithManualCommits(consumer, { concurrency: opts.concurrency ?? 1, inFlight, processBatch });
      log.info({ groupId, topics: [...routes.keys()] }, "batch consumer started");
    },
    stop(timeoutMs = 10_000) {
      stopping ??= (async () => {
        shutdown.abort();
        try {
          consumer.pause([...routes.keys()].map((topic) => ({ topic })));
        } catch {
          // Not running: nothing is fetched anyway.
        }
        const deadline = Date.now() + timeoutMs;
        const reserve = Math.min(2000, timeoutMs / 3);
        const grace = setTimeout(() => drained.abort(), Math.max(0, timeoutMs - reserve));
        await Promise.allSettled(inFlight);
        clearTimeout(grace);
        drained.abort();
        await commitWithin(committer, deadline - reserve / 2, (err) =>
          log.warn({ groupId, err }, "final offset commit failed; the next owner refolds those events"),
        );
        await closeWithin(
          async () => {
            await consumer.disconnect();
            await producer.disconnect().catch(() => {});
          },
          deadline,
          log,
          groupId,
        );
      })();
      return stopping;
    },
  };
}
