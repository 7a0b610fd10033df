import { createHash } from "node:crypto";
import { type ProcessingId, processingIdFromEvent } from "@postprocess/db";

/** RFC 9110 visible ASCII plus space: what survives every proxy in a header value. */
export const idempotencyKeyPattern = /^[\x20-\x7e]{1,255}$/;

/** True when `key` is an acceptable `Idempotency-Key` value. */
export function isValidIdempotencyKey(key: string): boolean {
  return idempotencyKeyPattern.test(key);
}

/**
 * The processing id of a keyed submission, derived from (account, key) alone. A client whose response was
 * lost retries with the same key; even if the first attempt's event reached Kafka but its row never
 * committed, the retry produces the same processing id, so the projector folds both into one job. The time
 * part is 0 on purpose: a retry arrives later, and any clock in the id would give it another id.
 */
export function processingIdForKey(accountId: string, key: string): ProcessingId {
  return processingIdFromEvent(`idempotency/${accountId}/${key}`, 0);
}

/**
 * sha256 (hex) of the request's canonical JSON (object keys sorted), so the same request re-sent with its
 * keys in another order still counts as the same request.
 */
export function requestHash(request: unknown): string {
  return createHash("sha256").update(canonicalJson(request), "utf8").digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
