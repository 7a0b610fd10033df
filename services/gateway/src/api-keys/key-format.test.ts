import { describe, expect, it } from "vitest";
import { hashApiKey, looksLikeApiKey, mintApiKey } from "./key-format.ts";

describe("API key format", () => {
  it("mints prefixed base62 keys with ≥ 128 random bits and a sha256 hash", () => {
    const key = mintApiKey("live");
    expect(key.plaintext).toMatch(/^pp_live_[0-9A-Za-z]{33}$/);
    // 33 base62 characters carry log2(62^33) ≈ 196 bits of room for the 192 random bits.
    expect(key.prefix).toBe(key.plaintext.slice(0, 12));
    expect(key.hash).toBe(hashApiKey(key.plaintext));
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.id).toMatch(/^key_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(mintApiKey("test").plaintext).toMatch(/^pp_test_/);
  });

  it("never mints the same key twice (1000 draws)", () => {
    const keys = new Set(Array.from({ length: 1000 }, () => mintApiKey("live").plaintext));
    expect(keys.size).toBe(1000);
  });

  it("recognises only its own shape", () => {
    expect(looksLikeApiKey(mintApiKey("test").plaintext)).toBe(true);
    expect(looksLikeApiKey("pp_live_short")).toBe(false);
    expect(looksLikeApiKey(`pp_prod_${"a".repeat(33)}`)).toBe(false);
    expect(looksLikeApiKey(`pp_live_${"a".repeat(32)}!`)).toBe(false);
  });
});
