import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./database-unavailable.ts";

const withCode = (code: string, cause?: unknown) => Object.assign(new Error("x", { cause }), { code });

describe("isDatabaseUnavailable", () => {
  it("recognises socket errors and unavailable-server SQLSTATEs, also as a cause", () => {
    expect(isDatabaseUnavailable(withCode("ECONNREFUSED"))).toBe(true);
    expect(isDatabaseUnavailable(withCode("08006"))).toBe(true);
    expect(isDatabaseUnavailable(withCode("57P01"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: withCode("ECONNRESET") }))).toBe(true);
  });

  it("leaves bugs alone", () => {
    expect(isDatabaseUnavailable(withCode("42601"))).toBe(false);
    expect(isDatabaseUnavailable(withCode("23505"))).toBe(false);
    expect(isDatabaseUnavailable(new Error("plain"))).toBe(false);
    expect(isDatabaseUnavailable("not an error")).toBe(false);
  });
});
