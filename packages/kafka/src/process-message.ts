import type { TopicDef } from "@postprocess/contracts";
import type { KafkaMessage, Producer } from "kafkajs";
import { raceAbort } from "./abortable.ts";
import type { Codec } from "./codec.ts";
import { type Origin, publishDeadLetter, publishRetry } from "./dead-letter.ts";
import { asError, dispositionOf, NonRetriableError } from "./errors.ts";
import type { HandlerContext } from "./handler.ts";
import { H, type Headers, readHeaders } from "./headers.ts";
import { type Logger, withBindings } from "./logger.ts";
import { type RetryPolicy, retryDelayMs } from "./retry-policy.ts";
import { createTraceparent, parseTraceparent } from "./traceparent.ts";

/** A subscribed topic: its catalog def and its handler (typed at the API, erased here). */
export interface Route {
  def: TopicDef;
  handle(event: unknown, ctx: HandlerContext): Promise<void>;
}

/**
 * What became of a message: `done` (handled, retried elsewhere or dead-lettered: commit it), `abandon`
 * (shutdown caught it mid-way: leave it uncommitted for the next owner), `wait` (a retry not yet due, from
 * the retry topic or the next in-place attempt: process it again after the `pauseFor` delay, which its
 * partition waits out without holding a handler slot).
 */
export type Outcome = "done" | "abandon" | "wait";

export interface ProcessorDeps {
  groupId: string;
  routes: ReadonlyMap<string, Route>;
  codec: Codec;
  producer: Producer;
  policy: RetryPolicy;
  topics: { retry: string; dlq: string };
  deps: object;
  log: Logger;
  /** Aborted when stop() begins: handlers are told, backoff waits end. */
  shutdown: AbortSignal;
  /** Aborted when stop()'s grace period ends: handlers still running are abandoned. */
  drained: AbortSignal;
}

/** Asks for the message to be processed again after `ms`: its partition waits, holding no handler slot. */
export type PauseFor = (ms: number) => void;

type Attempt = { kind: "ok" } | { kind: "failed"; error: Error } | { kind: "abandoned" };

/** Decides, for one message, between handling, retrying in place, the retry topic and the DLQ. */
export function createMessageProcessor(d: ProcessorDeps) {
  const attemptOnce = async (
    route: Route,
    message: KafkaMessage,
    headers: Headers,
    origin: Origin,
    attempt: number,
  ): Promise<Attempt> => {
    let event: unknown;
    try {
      event = await d.codec.decode(message.value, route.def.schema);
    } catch (err) {
      return { kind: "failed", error: asError(err) };
    }
    const ids = {
      groupId: d.groupId,
      ...origin,
      attempt,
      processingId: headers[H.processingId],
      eventId: (event as { event_id?: unknown }).event_id,
    };
    const ctx: HandlerContext = {
      ...d.deps,
      ...origin,
      key: message.key?.toString() ?? null,
      headers,
      traceparent: parseTraceparent(headers[H.traceparent]) ? headers[H.traceparent]! : createTraceparent(),
      processingId: headers[H.processingId],
      attempt,
      lastAttempt: attempt >= d.policy.attempts + d.policy.retryTopicAttempts,
      signal: d.shutdown,
      log: withBindings(d.log, ids),
    };
    // Promise.resolve().then: a handler that throws synchronously still yields a rejected promise.
    const run = Promise.resolve().then(() => route.handle(event, ctx));
    const settled = run.then(
      (): Attempt => ({ kind: "ok" }),
      (err: unknown): Attempt => ({ kind: "failed", error: asError(err) }),
    );
    const result = await raceAbort(settled, d.drained, (): Attempt => ({ kind: "abandoned" }));
    // A handler that failed while we shut down most likely failed *because* of it: not the message's fault.
    if (result.kind === "failed" && d.shutdown.aborted) return { kind: "abandoned" };
    return result;
  };

  const deadLetter = async (
    message: KafkaMessage,
    headers: Headers,
    origin: Origin,
    error: Error,
    attempts: number,
  ) => {
    await publishDeadLetter(d.producer, d.topics.dlq, { message, headers, origin, error, attempts });
    d.log.error(
      {
        groupId: d.groupId,
        ...origin,
        attempts,
        errorClass: error.name,
        error: error.message,
        dlq: d.topics.dlq,
      },
      "message dead-lettered",
    );
  };

  const toRetryTopic = async (
    message: KafkaMessage,
    headers: Headers,
    origin: Origin,
    error: Error,
    attempts: number,
    round: number,
  ) => {
    const delayMs = retryDelayMs(error, attempts, d.policy);
    await publishRetry(d.producer, d.topics.retry, {
      message,
      headers,
      origin,
      error,
      attempts,
      round,
      delayMs,
    });
    d.log.warn(
      {
        groupId: d.groupId,
        ...origin,
        attempts,
        round,
        delayMs,
        errorClass: error.name,
        error: error.message,
      },
      "message moved to the retry topic",
    );
  };

  /**
   * In-place attempts made so far by messages waiting for their next one. The wait is the lane's (`wait`
   * with the delay), not the handler's: the handler slot is free meanwhile, so a job backing off (an
   * ElevenLabs 429 with a long Retry-After) does not hold up other partitions. Bounded: an entry whose
   * partition was revoked meanwhile is never read again.
   */
  const attemptsMade = new Map<string, number>();
  const maxWaiting = 10_000;

  /** A message of a subscribed topic: in-place retries, then the retry topic (or the DLQ). */
  const fromSource = async (
    topic: string,
    partition: number,
    message: KafkaMessage,
    pauseFor: PauseFor,
  ): Promise<Outcome> => {
    const route = d.routes.get(topic)!;
    const headers = readHeaders(message.headers);
    const origin: Origin = { topic, partition, offset: message.offset };
    const key = `${topic}\u0000${partition}\u0000${message.offset}`;
    const attempt = (attemptsMade.get(key) ?? 0) + 1;
    attemptsMade.delete(key);
    const r = await attemptOnce(route, message, headers, origin, attempt);
    if (r.kind === "ok") return "done";
    if (r.kind === "abandoned") return "abandon";
    if (dispositionOf(r.error) === "non-retriable") {
      await deadLetter(message, headers, origin, r.error, attempt);
      return "done";
    }
    if (attempt < d.policy.attempts) {
      const delayMs = retryDelayMs(r.error, attempt, d.policy);
      d.log.warn(
        {
          groupId: d.groupId,
          ...origin,
          attempt,
          delayMs,
          errorClass: r.error.name,
          error: r.error.message,
        },
        "handler failed, retrying in place",
      );
      if (attemptsMade.size >= maxWaiting) attemptsMade.delete(attemptsMade.keys().next().value!);
      attemptsMade.set(key, attempt);
      pauseFor(delayMs);
      return "wait";
    }
    if (d.policy.retryTopicAttempts > 0) await toRetryTopic(message, headers, origin, r.error, attempt, 1);
    else await deadLetter(message, headers, origin, r.error, attempt);
    return "done";
  };

  /** A message of the group's retry topic: wait until it is due, then one attempt per round. */
  const fromRetryTopic = async (message: KafkaMessage, pauseFor: PauseFor): Promise<Outcome> => {
    const headers = readHeaders(message.headers);
    const dueIn = Number(headers[H.retryNotBefore] ?? 0) - Date.now();
    if (dueIn > 0) {
      // Capped: a clock skew or a forged header must not park the partition for long.
      pauseFor(Math.min(dueIn, d.policy.maxMs));
      return "wait";
    }
    const origin: Origin = {
      topic: headers[H.originalTopic] ?? "",
      partition: Number(headers[H.originalPartition] ?? -1),
      offset: headers[H.originalOffset] ?? "-1",
    };
    const prior = Number(headers[H.attempt] ?? 0);
    const round = Number(headers[H.retryRound] ?? 1);
    const route = d.routes.get(origin.topic);
    if (!route) {
      const error = new NonRetriableError(
        `no handler for original topic "${origin.topic}" in group ${d.groupId}`,
      );
      await deadLetter(message, headers, origin, error, prior);
      return "done";
    }
    const r = await attemptOnce(route, message, headers, origin, prior + 1);
    if (r.kind === "ok") return "done";
    if (r.kind === "abandoned") return "abandon";
    if (dispositionOf(r.error) === "retriable" && round < d.policy.retryTopicAttempts) {
      await toRetryTopic(message, headers, origin, r.error, prior + 1, round + 1);
    } else {
      await deadLetter(message, headers, origin, r.error, prior + 1);
    }
    return "done";
  };

  return {
    process(topic: string, partition: number, message: KafkaMessage, pauseFor: PauseFor): Promise<Outcome> {
      return topic === d.topics.retry
        ? fromRetryTopic(message, pauseFor)
        : fromSource(topic, partition, message, pauseFor);
    },
  };
}
