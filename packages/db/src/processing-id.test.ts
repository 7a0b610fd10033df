import { decodeTime } from "ulid";
import { describe, expect, test } from "vitest";
import { isProcessingId, newProcessingId, processingIdFromEvent } from "./processing-id.ts";

describe("newProcessingId", () => {
  test("has the shape the database checks", () => {
    const id = newProcessingId();
    expect(id).toMatch(/^proc_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isProcessingId(id)).toBe(true);
  });

  test("10k ids minted in the same millisecond are all distinct", () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newProcessingId(now)));
    expect(ids.size).toBe(10_000);
  });

  test("ids sort by their creation time", () => {
    const start = Date.UTC(2026, 10, 26);
    const times = Array.from({ length: 500 }, (_, i) => start + i * 997);
    const ids = [...times].reverse().map((t) => newProcessingId(t));
    const sorted = [...ids].sort();
    expect(sorted.map((id) => decodeTime(id.slice(5)))).toEqual(times);
  });
});

describe("processingIdFromEvent", () => {
  const occurredAt = Date.UTC(2026, 10, 26, 12, 30, 15, 123);

  test("is deterministic: the same event always yields the same id", () => {
    const a = processingIdFromEvent("evt_01JDX0000000000000000000000", occurredAt);
    const b = processingIdFromEvent("evt_01JDX0000000000000000000000", occurredAt);
    expect(a).toBe(b);
    expect(isProcessingId(a)).toBe(true);
  });

  test("encodes the event time in the time part", () => {
    const id = processingIdFromEvent("evt_x", occurredAt);
    expect(decodeTime(id.slice(5))).toBe(occurredAt);
  });

  test("derives the random part from the first 80 bits of sha256(eventId)", () => {
    // sha256("evt_x") begins e312c905e6a8c0b2ccf8; those 80 bits in Crockford base32 (computed by hand,
    // bit string → 5-bit groups) are pinned so a change to the derivation cannot pass unnoticed.
    expect(processingIdFromEvent("evt_x", occurredAt).slice(15)).toBe("WC9CJ1F6N30B5K7R");
    expect(processingIdFromEvent("evt_x", 0).slice(15)).toBe("WC9CJ1F6N30B5K7R");
    expect(processingIdFromEvent("evt_y", occurredAt).slice(15)).not.toBe("WC9CJ1F6N30B5K7R");
  });

  test("10k distinct events at the same instant yield 10k distinct ids", () => {
    const ids = new Set(
      Array.from({ length: 10_000 }, (_, i) => processingIdFromEvent(`evt_${i}`, occurredAt)),
    );
    expect(ids.size).toBe(10_000);
  });

  test("refuses a time a ULID cannot encode", () => {
    expect(() => processingIdFromEvent("evt_x", -1)).toThrow();
    expect(() => processingIdFromEvent("evt_x", Number.NaN)).toThrow();
  });
});

describe("isProcessingId", () => {
  test.each([
    ["proc_1700000000_1234", "the old seconds+random shape"],
    ["proc_01jdx0000000000000000000000", "lowercase"],
    ["proc_01JDX00000000000000000000I", "a letter outside Crockford base32"],
    ["proc_01JDX000000000000000000", "too short"],
    ["01JDX0000000000000000000000", "no prefix"],
  ])("rejects %s (%s)", (value) => {
    expect(isProcessingId(value)).toBe(false);
  });
});
