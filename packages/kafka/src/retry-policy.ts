import { RetryAfterError } from "./errors.ts";

/** How a consumer retries a failed message (see README: in place first, then the retry topic). */
export interface RetryPolicy {
  /** Handler attempts in place (the partition waits) before the message moves to the retry topic. */
  attempts: number;
  /** First backoff step; doubles per attempt. */
  baseMs: number;
  /** Cap on any single wait, including a remote's Retry-After, so one message never blocks for long. */
  maxMs: number;
  /** Further attempts through `<group>.retry` before the message is dead-lettered. */
  retryTopicAttempts: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 3,
  baseMs: 200,
  maxMs: 5000,
  retryTopicAttempts: 2,
};

/**
 * Exponential backoff with full jitter (uniform in [0, min(maxMs, baseMs·2^(attempt-1))]): spreads the
 * retries of many consumers that failed together instead of having them hammer the remote in lockstep.
 * `attempt` is the 1-based number of the attempt that just failed.
 */
export function backoffMs(
  attempt: number,
  policy: Pick<RetryPolicy, "baseMs" | "maxMs">,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * exp);
}

/** The wait before the next attempt: the remote's Retry-After when it gave one (capped), else backoff. */
export function retryDelayMs(
  err: unknown,
  attempt: number,
  policy: Pick<RetryPolicy, "baseMs" | "maxMs">,
  random: () => number = Math.random,
): number {
  if (err instanceof RetryAfterError) return Math.max(0, Math.min(err.ms, policy.maxMs));
  return backoffMs(attempt, policy, random);
}
