import { createHmac } from "node:crypto";
import { signWebhook } from "@postprocess/testkit/fakes/elevenlabs";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.ts";
import {
  createSignatureVerifier,
  parseSignatureHeader,
  SIGNATURE_MAX_AGE_MS,
  SIGNATURE_MAX_SKEW_MS,
  verifySignature,
} from "./signature.ts";

const secret = "wsec_current_0123456789abcdef";
const previous = "wsec_previous_0123456789abcdef";
const body =
  '{"type":"post_call_transcription","event_timestamp":1739537297,"data":{"conversation_id":"c1"}}';
const now = new Date("2026-11-26T12:00:00.000Z");
const t = Math.floor(now.getTime() / 1000);

/** The 401's message, or "ok" when the check passed. */
function outcome(header: string | undefined, raw: string = body, secrets = [secret], at = now): string {
  try {
    verifySignature(header, raw, secrets, at);
    return "ok";
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("INVALID_SIGNATURE");
    return (err as ApiError).message;
  }
}

describe("verifySignature", () => {
  it("accepts ElevenLabs' own signature over the raw body, with its parts in either order", () => {
    const header = signWebhook(secret, body, t);
    expect(outcome(header)).toBe("ok");
    const [tPart, v0Part] = header.split(",");
    expect(outcome(`${v0Part}, ${tPart}`)).toBe("ok");
    // Signed exactly as the documentation's snippet does it.
    const doc = `t=${t},v0=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
    expect(outcome(doc)).toBe("ok");
  });

  it("refuses a forged signature: another secret, a changed body, a re-serialised body, another t", () => {
    expect(outcome(signWebhook("wsec_someone_else", body, t))).toMatch(/does not match/);
    expect(outcome(signWebhook(secret, body, t), body.replace("c1", "c2"))).toMatch(/does not match/);
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    expect(outcome(signWebhook(secret, body, t), reserialised)).toMatch(/does not match/);
    // A valid digest moved to another timestamp (to stretch its life) no longer matches.
    const v0 = signWebhook(secret, body, t).split(",")[1];
    expect(outcome(`t=${t + 60},${v0}`)).toMatch(/does not match/);
  });

  it("refuses a signature older than 30 minutes, and accepts one just inside the window", () => {
    const oldT = t - SIGNATURE_MAX_AGE_MS / 1000 - 1;
    expect(outcome(signWebhook(secret, body, oldT))).toMatch(/more than 30 minutes old/);
    expect(outcome(signWebhook(secret, body, t - SIGNATURE_MAX_AGE_MS / 1000 + 1))).toBe("ok");
  });

  it("refuses a signature more than 5 minutes in the future, tolerates less (clock skew)", () => {
    const ahead = t + SIGNATURE_MAX_SKEW_MS / 1000 + 1;
    expect(outcome(signWebhook(secret, body, ahead))).toMatch(/in the future/);
    expect(outcome(signWebhook(secret, body, t + 60))).toBe("ok");
  });

  it("accepts the previous secret during a rotation, and nothing else", () => {
    const byPrevious = signWebhook(previous, body, t);
    expect(outcome(byPrevious, body, [secret, previous])).toBe("ok");
    expect(outcome(signWebhook(secret, body, t), body, [secret, previous])).toBe("ok");
    // Once the previous secret is dropped, its signatures are refused.
    expect(outcome(byPrevious, body, [secret])).toMatch(/does not match/);
    // No secret at all (an account without one): nothing matches.
    expect(outcome(signWebhook(secret, body, t), body, [])).toMatch(/does not match/);
  });

  it("says what is wrong with a missing or malformed header, or a wrong scheme", () => {
    const v0 = signWebhook(secret, body, t).split(",")[1]!;
    expect(outcome(undefined)).toBe("missing ElevenLabs-Signature header");
    expect(outcome("  ")).toBe("missing ElevenLabs-Signature header");
    for (const bad of [
      "garbage",
      v0, // no t
      `t=${t}`, // no digest at all
      `t=soon,${v0}`,
      `t=${t},t=${t},${v0}`,
      `t=${t},v0=abc`, // not a sha256
      `t=${t},v0=${"z".repeat(64)}`,
      `t=${t},,${v0}`,
    ]) {
      expect(outcome(bad), bad).toMatch(/^malformed ElevenLabs-Signature header/);
    }
    // A digest of another scheme only: ElevenLabs' SDK's "No signature hash found with expected scheme v0".
    const v1 = v0.replace("v0=", "v1=");
    expect(outcome(`t=${t},${v1}`)).toMatch(/no signature with the expected scheme v0/);
    // An unknown scheme beside v0 is ignored.
    expect(outcome(`t=${t},${v1},${v0}`)).toBe("ok");
  });
});

describe("createSignatureVerifier", () => {
  it("gives the same answer over a body streamed in arbitrary pieces", () => {
    const header = parseSignatureHeader(signWebhook(secret, body, t));
    const bytes = Buffer.from(body);
    const verifier = createSignatureVerifier(header, [previous, secret]);
    for (let at = 0; at < bytes.length; at += 7) verifier.update(bytes.subarray(at, at + 7));
    expect(verifier.matches()).toBe(true);
    const wrong = createSignatureVerifier(header, [previous]);
    wrong.update(bytes);
    expect(wrong.matches()).toBe(false);
  });
});
