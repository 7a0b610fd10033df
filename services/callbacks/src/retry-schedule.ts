/** When and how long a failing delivery is retried. */
export interface RetryPolicy {
  /** Delay after the 1st, 2nd, … failed attempt; the last entry repeats. */
  scheduleMs: readonly number[];
  /** Retries stop this long after the delivery was created. */
  windowMs: number;
}

/**
 * After `attempts` failed attempts (≥ 1), when the next one is due, or null when the delivery has failed
 * for good. The next attempt is never later than the window's end, so a delivery is last tried right at
 * the deadline (24 h by default) instead of being abandoned hours earlier because the next step of the
 * schedule would overshoot it.
 */
export function nextAttemptAt(
  attempts: number,
  now: Date,
  createdAt: Date,
  policy: RetryPolicy,
): Date | null {
  const deadline = createdAt.getTime() + policy.windowMs;
  if (now.getTime() >= deadline) return null;
  const { scheduleMs } = policy;
  const delay = scheduleMs[Math.min(attempts, scheduleMs.length) - 1] ?? scheduleMs.at(-1) ?? 0;
  return new Date(Math.min(now.getTime() + delay, deadline));
}
