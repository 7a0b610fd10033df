import { createHmac, type Hmac, timingSafeEqual } from "node:crypto";
import { ApiError } from "../errors.ts";

/**
 * ElevenLabs' webhook signature (shared/docs/external-apis.md §4): header `ElevenLabs-Signature:
 * t=<unix seconds>,v0=<hex>` (parts in any order), where v0 = HMAC-SHA256(secret as UTF-8, `${t}.${raw body}`).
 */

/** A signature older than this is refused: ElevenLabs' own tolerance, and the replay window it leaves. */
export const SIGNATURE_MAX_AGE_MS = 30 * 60_000;

/**
 * A signature dated further ahead than this is refused. ElevenLabs' SDKs accept any future `t`, but a
 * signature stays valid until `t` + 30 min, so a future `t` would stretch the replay window of a captured
 * request beyond 30 minutes. ElevenLabs signs with its current time, so a future `t` can only come from a
 * skewed clock (theirs or ours): a few minutes of skew are tolerated, more means a clock to fix.
 */
export const SIGNATURE_MAX_SKEW_MS = 5 * 60_000;

/** A parsed `ElevenLabs-Signature` header. */
export interface SignatureHeader {
  /** `t` exactly as sent: it is part of the signed text, so it is never re-formatted. */
  t: string;
  /** `t` in epoch milliseconds. */
  at: number;
  /** Every `v0` digest the header carries (one, in practice). */
  v0: Buffer[];
}

/** Why a signature was refused; each is a 401 INVALID_SIGNATURE with its own message. */
export type SignatureProblem = "missing" | "malformed" | "scheme" | "expired" | "future" | "mismatch";

const messages: Record<SignatureProblem, string> = {
  missing: "missing ElevenLabs-Signature header",
  malformed: "malformed ElevenLabs-Signature header: expected t=<unix seconds>,v0=<hex sha256>",
  scheme: "the ElevenLabs-Signature header has no signature with the expected scheme v0",
  expired: "the signature's timestamp is more than 30 minutes old",
  future: "the signature's timestamp is more than 5 minutes in the future (check the clocks)",
  // Also the answer for an unknown account or one without a webhook secret: see `verify` in the route.
  mismatch: "the signature does not match the request body",
};

/** The 401 for `problem`. */
export function signatureError(problem: SignatureProblem): ApiError {
  return new ApiError("INVALID_SIGNATURE", messages[problem]);
}

/** Parses the header, or throws the 401 that says what is wrong with it. */
export function parseSignatureHeader(header: string | undefined): SignatureHeader {
  if (header === undefined || header.trim() === "") throw signatureError("missing");
  let t: string | undefined;
  const v0: Buffer[] = [];
  let digests = 0;
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw signatureError("malformed");
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === "t") {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) throw signatureError("malformed");
      t = value;
    } else if (/^v\d+$/.test(name)) {
      digests++;
      if (name !== "v0") continue;
      if (!/^[0-9a-fA-F]{64}$/.test(value)) throw signatureError("malformed");
      v0.push(Buffer.from(value, "hex"));
    }
  }
  if (t === undefined) throw signatureError("malformed");
  if (v0.length === 0) throw signatureError(digests > 0 ? "scheme" : "malformed");
  return { t, at: Number(t) * 1000, v0 };
}

/** Throws the 401 for a signature dated outside [now − 30 min, now + 5 min]. */
export function checkSignatureAge(header: SignatureHeader, now: Date): void {
  if (header.at < now.getTime() - SIGNATURE_MAX_AGE_MS) throw signatureError("expired");
  if (header.at > now.getTime() + SIGNATURE_MAX_SKEW_MS) throw signatureError("future");
}

/** Hashes a body as it streams by, then tells whether one of the secrets signed it. */
export interface SignatureVerifier {
  update(chunk: Uint8Array): void;
  /** True when a `v0` of the header is the HMAC of the body under one of the secrets (call once, at the end). */
  matches(): boolean;
}

/**
 * A verifier for `header` under each of `secrets` (the current one, then the previous one during a
 * rotation). Every digest is compared in constant time, and all of them always are, so the time taken
 * does not tell which secret, if any, matched.
 */
export function createSignatureVerifier(
  header: SignatureHeader,
  secrets: readonly string[],
): SignatureVerifier {
  const macs: Hmac[] = secrets.map((s) =>
    createHmac("sha256", Buffer.from(s, "utf8")).update(`${header.t}.`),
  );
  return {
    update(chunk) {
      for (const mac of macs) mac.update(chunk);
    },
    matches() {
      let matched = false;
      for (const mac of macs) {
        const expected = mac.digest();
        for (const given of header.v0) {
          // Both are 32 bytes (the header parser only keeps 64-hex-digit digests).
          if (timingSafeEqual(expected, given)) matched = true;
        }
      }
      return matched;
    },
  };
}

/** The whole check on a body already in memory: header, age, then the digest; throws the 401. */
export function verifySignature(
  header: string | undefined,
  rawBody: Uint8Array | string,
  secrets: readonly string[],
  now: Date,
): void {
  const parsed = parseSignatureHeader(header);
  checkSignatureAge(parsed, now);
  const verifier = createSignatureVerifier(parsed, secrets);
  verifier.update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody);
  if (!verifier.matches()) throw signatureError("mismatch");
}
