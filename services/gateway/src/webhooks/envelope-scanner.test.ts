import { describe, expect, it } from "vitest";
import { Base64Error } from "./base64-stream.ts";
import { EnvelopeScanner, EnvelopeSyntaxError, EnvelopeTooLargeError } from "./envelope-scanner.ts";

/** Scans `body` fed in pieces of `size` bytes: the audio text and the parsed envelope. */
function scan(body: string, size: number, maxEnvelopeBytes = 1 << 20) {
  let audio = "";
  const scanner = new EnvelopeScanner({
    maxEnvelopeBytes,
    onAudio: (t) => {
      audio += t;
    },
  });
  const bytes = Buffer.from(body);
  for (let at = 0; at < bytes.length; at += size) scanner.feed(bytes.subarray(at, at + size));
  const envelope = scanner.end().toString("utf8");
  return { audio, envelope: JSON.parse(envelope) as unknown, fields: scanner.audioFields };
}

const sizes = [1, 2, 3, 7, 64, 1 << 16];

describe("EnvelopeScanner", () => {
  it("takes data.full_audio out, whatever the field order and chunking, and keeps everything else", () => {
    const b64 = Buffer.from("an mp3, in fact").toString("base64");
    const bodies = [
      `{"type":"post_call_audio","event_timestamp":1739537319,"data":{"agent_id":"xyz","conversation_id":"abc","full_audio":"${b64}"}}`,
      `{"data":{"full_audio":"${b64}","conversation_id":"abc","agent_id":"xyz"},"type":"post_call_audio","event_timestamp":1739537319}`,
      ` { "type" : "post_call_audio" ,\n "data" : { "agent_id" : "xyz" , "full_audio" : "${b64}" , "conversation_id" : "abc" } , "event_timestamp" : 1739537319 } `,
    ];
    for (const body of bodies) {
      for (const size of sizes) {
        const out = scan(body, size);
        expect(out.audio, `${size}`).toBe(b64);
        expect(out.fields).toBe(1);
        expect(out.envelope).toEqual({
          type: "post_call_audio",
          event_timestamp: 1739537319,
          data: { agent_id: "xyz", conversation_id: "abc", full_audio: "" },
        });
      }
    }
  });

  it("leaves look-alikes alone: other levels, strings that mention full_audio, escaped quotes", () => {
    const body = JSON.stringify({
      full_audio: "top-level: not the one",
      note: 'a "quoted" \\ string with "full_audio": inside',
      data: {
        nested: { full_audio: "too deep" },
        list: ["full_audio", { full_audio: "in an array" }],
        "full\u005faudio-ish": "x",
        transcript: [{ role: "agent", message: 'He said: "data"' }],
      },
    });
    for (const size of sizes) {
      const out = scan(body, size);
      expect(out.audio).toBe("");
      expect(out.fields).toBe(0);
      expect(out.envelope).toEqual(JSON.parse(body));
    }
  });

  it("finds a key written with escapes, and resolves the escapes JSON allows in base64 text", () => {
    const body = '{"data":{"full\\u005faudio":"QU\\/J\\nD\\r\\u0052\\t=="}}';
    for (const size of sizes) {
      const out = scan(body, size);
      expect(out.audio).toBe("QU/JDR==");
      expect(out.envelope).toEqual({ data: { full_audio: "" } });
    }
  });

  it("refuses escapes that cannot be base64, and bodies that end early or do not balance", () => {
    for (const body of [
      '{"data":{"full_audio":"QUJD\\"x"}}', // an escaped quote
      '{"data":{"full_audio":"QUJD\\u00e9"}}', // a non-ASCII character
      '{"data":{"full_audio":"QUJD\\b"}}',
    ]) {
      for (const size of sizes) expect(() => scan(body, size), body).toThrow(Base64Error);
    }
    for (const body of ['{"data":{"full_audio":"QUJD', '{"type":"x"', '{"type":"x"}}', '{"a":[1}']) {
      for (const size of sizes) expect(() => scan(body, size), body).toThrow(EnvelopeSyntaxError);
    }
    expect(() => scan(`${"[".repeat(100)}${"]".repeat(100)}`, 7)).toThrow(/nested too deeply/);
  });

  it("counts every data.full_audio (a duplicate key is the caller's to refuse)", () => {
    expect(scan('{"data":{"full_audio":"QUJD","full_audio":"REVG"}}', 5).fields).toBe(2);
  });

  it("bounds the envelope, never the audio", () => {
    const audio = "A".repeat(100_000);
    const out = scan(`{"data":{"conversation_id":"abc","full_audio":"${audio}"}}`, 4096, 64);
    expect(out.audio.length).toBe(100_000);
    const big = JSON.stringify({ data: { transcript: "x".repeat(200) } });
    expect(() => scan(big, 16, 64)).toThrow(EnvelopeTooLargeError);
  });
});
