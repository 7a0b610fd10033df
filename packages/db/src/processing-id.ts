import { createHash } from "node:crypto";
import { encodeTime, ulid } from "ulid";

// Crockford base32, the ULID alphabet (no I, L, O, U).
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX = "proc_";
const PATTERN = /^proc_[0-9A-HJKMNP-TV-Z]{26}$/;

/** The shape of a processing id (the database's `valid_processing_id`), for schemas that document it. */
export const processingIdPattern: RegExp = PATTERN;

/** A job's public id: `proc_` + a ULID, the shape `valid_processing_id` enforces. */
export type ProcessingId = `proc_${string}`;

/**
 * A fresh processing id: `proc_` + a random ULID (48-bit ms time, 80 random bits), so ids are unique across
 * replicas without coordination and sort by creation time (FIX 4).
 */
export function newProcessingId(now: number = Date.now()): ProcessingId {
  return `${PREFIX}${ulid(now)}`;
}

/**
 * The processing id of the job an event starts, derived from the event alone: its time part encodes
 * `occurredAtMs` and its random part is the first 80 bits of sha256(eventId). A redelivered or replayed
 * event therefore maps to the same job instead of starting a second one.
 */
export function processingIdFromEvent(eventId: string, occurredAtMs: number): ProcessingId {
  const digest = createHash("sha256").update(eventId, "utf8").digest();
  return `${PREFIX}${encodeTime(occurredAtMs, 10)}${crockford80(digest)}`;
}

/** True when `value` has the shape of a processing id (the same pattern as the database's CHECK). */
export function isProcessingId(value: string): value is ProcessingId {
  return PATTERN.test(value);
}

// The first 80 bits of `bytes` as 16 Crockford base32 characters (5 bits each), most significant first.
function crockford80(bytes: Uint8Array): string {
  let bits = 0n;
  for (const byte of bytes.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let out = "";
  for (let shift = 75n; shift >= 0n; shift -= 5n) out += CROCKFORD[Number((bits >> shift) & 31n)];
  return out;
}
