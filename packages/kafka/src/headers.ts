import type { IHeaders } from "kafkajs";

/** Header names the runtime reads and writes. */
export const H = {
  processingId: "x-processing-id",
  traceparent: "traceparent",
  eventType: "x-event-type",
  attempt: "x-attempt",
  retryRound: "x-retry-round",
  retryNotBefore: "x-retry-not-before",
  originalTopic: "x-original-topic",
  originalPartition: "x-original-partition",
  originalOffset: "x-original-offset",
  errorClass: "x-error-class",
  errorMessage: "x-error-message",
  attempts: "x-attempts",
  failedAt: "x-failed-at",
} as const;

/** Headers as plain strings (kafkajs hands out Buffers; repeated headers keep the last value). */
export type Headers = Record<string, string>;

/** Reads kafkajs headers into strings. */
export function readHeaders(raw: IHeaders | undefined): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}

/** Headers the runtime adds on a failure path; stripped before new ones are written, so they never pile up. */
const failureHeaders = new Set<string>([
  H.attempt,
  H.retryRound,
  H.retryNotBefore,
  H.originalTopic,
  H.originalPartition,
  H.originalOffset,
  H.errorClass,
  H.errorMessage,
  H.attempts,
  H.failedAt,
]);

/** The message's own headers, without the runtime's retry bookkeeping. */
export function ownHeaders(headers: Headers): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) if (!failureHeaders.has(k)) out[k] = v;
  return out;
}
