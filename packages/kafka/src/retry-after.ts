/**
 * A `Retry-After` header in ms: delta-seconds (fractions tolerated, rounded up so we never come back early)
 * or an HTTP date (RFC 9110 §10.2.3), a date in the past being 0. Undefined when absent or unreadable: the
 * caller decides what no answer means (a default wait, or a plain `RetriableError`).
 */
export function retryAfterMs(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
