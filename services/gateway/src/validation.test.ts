import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError } from "./errors.ts";
import { parseOrThrow } from "./validation.ts";

describe("parseOrThrow", () => {
  const schema = z.strictObject({ a: z.number(), inner: z.strictObject({ b: z.string() }) });

  it("returns the parsed value", () => {
    expect(parseOrThrow(schema, { a: 1, inner: { b: "x" } }, "VALIDATION_FAILED", "bad")).toEqual({
      a: 1,
      inner: { b: "x" },
    });
  });

  it("lists every problem by path, unknown fields at their own path", () => {
    let caught: unknown;
    try {
      parseOrThrow(schema, { a: "1", inner: { b: "x", c: 1, d: 2 }, e: 3 }, "VALIDATION_FAILED", "bad");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    const paths = (caught as ApiError).details?.map((d) => d.path).sort();
    expect(paths).toEqual(["a", "e", "inner.c", "inner.d"]);
    expect((caught as ApiError).code).toBe("VALIDATION_FAILED");
  });
});
