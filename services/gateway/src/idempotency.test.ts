import { isProcessingId } from "@postprocess/db";
import { describe, expect, it } from "vitest";
import { isValidIdempotencyKey, processingIdForKey, requestHash } from "./idempotency.ts";

describe("processingIdForKey", () => {
  it("is a valid processing id, the same for the same account and key", () => {
    const id = processingIdForKey("acc_1", "key-1");
    expect(isProcessingId(id)).toBe(true);
    expect(processingIdForKey("acc_1", "key-1")).toBe(id);
  });

  it("differs by account and by key", () => {
    const id = processingIdForKey("acc_1", "key-1");
    expect(processingIdForKey("acc_2", "key-1")).not.toBe(id);
    expect(processingIdForKey("acc_1", "key-2")).not.toBe(id);
  });
});

describe("requestHash", () => {
  it("ignores key order and undefined fields", () => {
    expect(requestHash({ a: 1, b: { c: [1, 2], d: "x" } })).toBe(
      requestHash({ b: { d: "x", c: [1, 2] }, a: 1, e: undefined }),
    );
  });

  it("changes with any value", () => {
    expect(requestHash({ a: [1, 2] })).not.toBe(requestHash({ a: [2, 1] }));
    expect(requestHash({ a: "1" })).not.toBe(requestHash({ a: 1 }));
  });

  it("is 64 hex characters", () => {
    expect(requestHash({})).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("isValidIdempotencyKey", () => {
  it("accepts 1..255 printable characters", () => {
    expect(isValidIdempotencyKey("a")).toBe(true);
    expect(isValidIdempotencyKey("order 42/retry:1")).toBe(true);
    expect(isValidIdempotencyKey("x".repeat(255))).toBe(true);
  });

  it("refuses empty, long and control characters", () => {
    expect(isValidIdempotencyKey("")).toBe(false);
    expect(isValidIdempotencyKey("x".repeat(256))).toBe(false);
    expect(isValidIdempotencyKey("a\tb")).toBe(false);
  });
});
