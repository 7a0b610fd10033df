import type { EventOf, TopicKey } from "@postprocess/contracts";
import type { Headers } from "./headers.ts";
import type { Logger } from "./logger.ts";

/** What a handler knows about the message besides the event: coordinates, correlation, attempt, shutdown. */
export interface HandlerContext {
  /** Real topic the event was produced to (for a retry delivery: the original topic, not the retry topic). */
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The message's string headers (traceparent, x-processing-id, x-event-type, …). */
  headers: Headers;
  /** The trace to continue: pass `{ context: ctx }` to `producer.send`. */
  traceparent: string;
  processingId: string | undefined;
  /** 1 on first delivery; counts in-place and retry-topic attempts together. */
  attempt: number;
  /**
   * No retry follows if this attempt fails retriably: the message goes to the dead-letter topic. A handler
   * that owns a job's fate (a pipeline step) fails the job now instead of leaving it running forever.
   */
  lastAttempt: boolean;
  /** Aborted when the consumer shuts down: stop work, the message is redelivered to the next owner. */
  signal: AbortSignal;
  /** Logger bound to this message's ids and coordinates. */
  log: Logger;
}

/** A handler of one catalog topic: the event is typed from the catalog, the context carries the deps. */
export type Handler<K extends TopicKey, Deps extends object = object> = (
  event: EventOf<K>,
  ctx: HandlerContext & Deps,
) => Promise<void>;

/**
 * Handlers by topic key. The consumer subscribes to exactly these keys, so there is no way to subscribe to
 * a topic without a handler, and each handler's event type follows from its key.
 */
export type Handlers<K extends TopicKey, Deps extends object = object> = { [P in K]: Handler<P, Deps> };

/** Deps must not shadow the context's own fields (a `log` in deps would silently lose the message's ids). */
export type NoContextKeys = { [P in keyof HandlerContext]?: never };
