import { type EventOf, type TopicKey, topics } from "@postprocess/contracts";
import { type Kafka, type Producer as KafkaProducer, type Message, Partitioners } from "kafkajs";
import type { Codec } from "./codec.ts";
import { H, type Headers } from "./headers.ts";
import { childTraceparent } from "./traceparent.ts";

/** Per-send options. */
export interface SendOptions {
  /** Extra headers (ids, never payload). */
  headers?: Headers;
  /**
   * What this event is produced on behalf of, usually the handler's `ctx`: its trace is continued (same
   * trace id, new span id). Without it a new trace starts.
   */
  context?: { traceparent?: string | undefined };
}

/** One event of a batch; the topic key decides the event's type. */
export type BatchItem = { [K in TopicKey]: { topic: K; event: EventOf<K> } & SendOptions }[TopicKey];

/** Where an event landed. */
export interface Sent {
  topic: string;
  partition: number;
  offset: string;
}

/** A producer typed by the catalog: a topic key admits only its own event type. */
export interface Producer {
  connect(): Promise<void>;
  send<K extends TopicKey>(topic: K, event: EventOf<K>, opts?: SendOptions): Promise<Sent>;
  sendBatch(items: readonly BatchItem[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  /** Prepended to every topic name (tests isolate themselves with a unique one). */
  topicPrefix?: string;
}

/**
 * Creates a producer that writes with acks=all through an idempotent kafkajs producer: a broker retry
 * cannot duplicate or reorder a partition's events.
 */
export function createProducer(kafka: Kafka, codec: Codec, opts: ProducerOptions = {}): Producer {
  const prefix = opts.topicPrefix ?? "";
  const producer = createIdempotentProducer(kafka);
  const coalesce = createCoalescer(async (records) => {
    const byTopic = new Map<string, Message[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.message]);
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  });

  const toRecord = async (key: TopicKey, event: unknown, o: SendOptions = {}) => {
    const def = topics[key];
    const topic = prefix + def.name;
    const message: Message = {
      key: (def.key as (e: unknown) => string)(event),
      value: await codec.encode({ name: topic, schema: def.schema }, event),
      headers: correlationHeaders(def.schema, event, o),
    };
    return { topic, message };
  };

  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send(key, event, o) {
      const { topic, message } = await toRecord(key, event, o);
      const [meta] = await producer.send({ topic, acks: -1, messages: [message] });
      return { topic, partition: meta?.partition ?? -1, offset: meta?.baseOffset ?? "-1" };
    },
    async sendBatch(items) {
      const records = await Promise.all(items.map((i) => toRecord(i.topic, i.event, i)));
      await coalesce(records);
    },
  };
}

type Outgoing = { topic: string; message: Message };
type Waiting = { records: Outgoing[]; bytes: number; done(err?: unknown): void; alone?: boolean };

/** Largest request the coalescer builds from several callers' batches (the broker's default limit is 1 MiB). */
const coalesceMaxBytes = 512 * 1024;

/**
 * Group commit for produce requests. kafkajs sends one request at a time (maxInFlightRequests 1, for sound
 * idempotence), so concurrent handlers' batches queue anyway; here the batches that queued while a request
 * was in flight go out together in the next one. Nothing waits when the producer is idle. Each caller's
 * batch stays whole and in call order (a partition's order holds), and each caller learns the outcome of
 * the request that carried its batch. A request of several batches that fails is sent again batch by batch,
 * so one bad record fails only its own caller (a broker outage then fails each of them, as it would have).
 * On the pipeline benchmark a worker ran up to six handlers at once.
 */
export function createCoalescer(send: (records: Outgoing[]) => Promise<void>) {
  let queue: Waiting[] = [];
  let busy = false;
  const pump = () => {
    if (busy || !queue.length) return;
    busy = true;
    let bytes = 0;
    let count = 0;
    const fits = (w: Waiting) => !w.alone && !queue[0]!.alone && bytes + w.bytes <= coalesceMaxBytes;
    while (count < queue.length && (count === 0 || fits(queue[count]!))) {
      bytes += queue[count]!.bytes;
      count++;
    }
    const group = queue.slice(0, count);
    queue = queue.slice(count);
    send(group.flatMap((w) => w.records))
      .then(
        () => {
          for (const w of group) w.done();
        },
        (err: unknown) => {
          if (group.length === 1) {
            group[0]!.done(err);
            return;
          }
          for (const w of group) w.alone = true;
          queue = [...group, ...queue];
        },
      )
      .finally(() => {
        busy = false;
        pump();
      });
  };
  return (records: Outgoing[]) =>
    new Promise<void>((resolve, reject) => {
      const bytes = records.reduce((n, r) => n + (r.message.value?.length ?? 0) + 256, 0);
      queue.push({ records, bytes, done: (err) => (err === undefined ? resolve() : reject(err)) });
      pump();
    });
}

/** The headers every event carries, so a job can be followed across services without decoding payloads. */
function correlationHeaders(schema: unknown, event: unknown, o: SendOptions): Headers {
  const headers: Headers = { ...o.headers };
  const { name, namespace } = schema as { name: string; namespace?: string };
  headers[H.eventType] = namespace ? `${namespace}.${name}` : name;
  // An explicit context continues its trace; an explicit header is taken as given; otherwise a new trace.
  if (o.context || !headers[H.traceparent]) headers[H.traceparent] = childTraceparent(o.context?.traceparent);
  const processingId = (event as { processing_id?: unknown }).processing_id;
  if (typeof processingId === "string") headers[H.processingId] = processingId;
  return headers;
}

/**
 * The kafkajs producer behind every write of the runtime (typed sends, retries, dead letters). One request
 * in flight keeps kafkajs's idempotence sound. The Java-compatible partitioner puts a key on the same
 * partition as any other Kafka client would. Retries stay bounded (the client's ~1 min) rather than
 * kafkajs's infinite default: a send that finally fails surfaces as an error the caller can retry, and
 * consumers de-duplicate on event_id anyway.
 */
export function createIdempotentProducer(kafka: Kafka): KafkaProducer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
