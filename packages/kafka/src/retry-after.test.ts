import { describe, expect, it } from "vitest";
import { retryAfterMs } from "./retry-after.ts";

const now = Date.parse("2026-11-26T12:00:00Z");

describe("retryAfterMs", () => {
  it("reads delta-seconds, whole or fractional, rounding up", () => {
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs(" 2 ", now)).toBe(2000);
    expect(retryAfterMs("0.5", now)).toBe(500);
    expect(retryAfterMs("1.0004", now)).toBe(1001);
    expect(retryAfterMs("0", now)).toBe(0);
  });

  it("reads an HTTP date as the time left until it, never below 0", () => {
    expect(retryAfterMs("Thu, 26 Nov 2026 12:00:07 GMT", now)).toBe(7000);
    expect(retryAfterMs("Thu, 26 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("is undefined when the header is absent, empty or unreadable", () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs("  ", now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
  });
});
