import { describe, expect, it } from "vitest";
import { RetriableError, RetryAfterError } from "./errors.ts";
import { backoffMs, retryDelayMs } from "./retry-policy.ts";

const policy = { baseMs: 200, maxMs: 5000 };

describe("backoffMs", () => {
  it("grows exponentially up to the cap (upper bound, random → 1)", () => {
    const top = (attempt: number) => backoffMs(attempt, policy, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([199, 399, 799, 1599, 3199, 4999, 4999]);
  });

  it("is zero at the lower bound (full jitter, random → 0)", () => {
    for (const attempt of [1, 5, 30]) expect(backoffMs(attempt, policy, () => 0)).toBe(0);
  });

  it("spreads uniformly inside [0, min(max, base·2^(n-1))]", () => {
    const samples = Array.from({ length: 2000 }, () => backoffMs(3, policy));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(800);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    // Uniform on [0, 800): mean 400; 2000 samples put it well within ±40.
    expect(mean).toBeGreaterThan(360);
    expect(mean).toBeLessThan(440);
    expect(new Set(samples).size).toBeGreaterThan(100);
  });

  it("never overflows for large attempt numbers", () => {
    expect(backoffMs(10_000, policy, () => 0.5)).toBe(2500);
  });
});

describe("retryDelayMs", () => {
  it("honours Retry-After without jitter", () => {
    expect(retryDelayMs(new RetryAfterError(1234), 1, policy, () => 0)).toBe(1234);
  });

  it("caps Retry-After at maxMs, so one remote cannot park a partition", () => {
    expect(retryDelayMs(new RetryAfterError(60_000), 1, policy)).toBe(5000);
    expect(retryDelayMs(new RetryAfterError(-5), 1, policy)).toBe(0);
  });

  it("uses backoff for other errors", () => {
    expect(retryDelayMs(new RetriableError("x"), 2, policy, () => 0.5)).toBe(200);
    expect(retryDelayMs(new Error("unknown"), 2, policy, () => 0.5)).toBe(200);
  });
});
