/**
 * The closed error taxonomy of message handling. A handler throws one of these (or anything else, which
 * counts as retriable); the consumer turns it into an in-place retry, a retry-topic hop or a dead letter.
 */

/** A transient failure (timeout, 5xx, lock conflict): try again later. */
export class RetriableError extends Error {
  override name = "RetriableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The remote said when to come back (HTTP 429/503 `Retry-After`); `ms` is honoured up to the policy's cap. */
export class RetryAfterError extends RetriableError {
  override name = "RetryAfterError";
  readonly ms: number;
  constructor(ms: number, message = `retry after ${ms} ms`, options?: { cause?: unknown }) {
    super(message, options);
    this.ms = ms;
  }
}

/** Retrying cannot help (validation failed, entity gone): the message goes straight to the dead-letter topic. */
export class NonRetriableError extends Error {
  override name = "NonRetriableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The bytes are not an event of the topic (not Confluent wire format, unknown schema, unreadable Avro). */
export class PoisonMessageError extends NonRetriableError {
  override name = "PoisonMessageError";
}

/** A send that names no registered schema while auto-registration is off (outside dev): deploy order is wrong. */
export class SchemaNotRegisteredError extends Error {
  override name = "SchemaNotRegisteredError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** How the consumer treats a failure; anything unknown is retriable, because a bug fix can make it pass. */
export type Disposition = "retriable" | "non-retriable";

/** Classifies a thrown value. */
export function dispositionOf(err: unknown): Disposition {
  return err instanceof NonRetriableError ? "non-retriable" : "retriable";
}

/** Any thrown value as an Error, so name/message are always there. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
