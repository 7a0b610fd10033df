import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Base64Error, Base64StreamDecoder } from "./base64-stream.ts";

/** Decodes `text` fed in pieces of `size` characters. */
function decode(text: string, size: number): Buffer {
  const d = new Base64StreamDecoder();
  const out: Buffer[] = [];
  for (let at = 0; at < text.length; at += size) out.push(d.write(text.slice(at, at + size)));
  out.push(d.end());
  return Buffer.concat(out);
}

describe("Base64StreamDecoder", () => {
  it("decodes exactly, whatever the piece boundaries (padding split across pieces included)", () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const bytes = randomBytes(length);
      const text = bytes.toString("base64");
      for (const size of [1, 2, 3, 5, 7, 4096])
        expect(decode(text, size).equals(bytes), `${length}/${size}`).toBe(true);
      // Unpadded base64 is accepted too.
      expect(decode(text.replace(/=+$/, ""), 3).equals(bytes)).toBe(true);
    }
  });

  it("refuses what Buffer.from would silently skip: foreign characters, early padding, dangling input", () => {
    const bad = [
      "QUJD!EFG", // outside the alphabet
      "QUJD\nREVG", // a raw newline (escaped newlines are the JSON scanner's business)
      "QQ==QUJD", // data after the padding
      "Q===", // padding too early in its group
      "QUJDR", // one dangling character
      "QUJDRA=", // a padding group cut short
      "QUJD-_", // base64url is not what ElevenLabs sends
    ];
    for (const text of bad) {
      for (const size of [1, 4, 100])
        expect(() => decode(text, size), `${text}/${size}`).toThrow(Base64Error);
    }
  });
});
