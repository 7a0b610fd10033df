import { describe, expect, it } from "vitest";
import { childTraceparent, createTraceparent, parseTraceparent } from "./traceparent.ts";

const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("parseTraceparent", () => {
  it("parses the W3C example", () => {
    expect(parseTraceparent(valid)).toEqual({
      version: "00",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      flags: "01",
    });
  });

  it.each([
    ["empty", ""],
    ["upper-case hex", valid.toUpperCase()],
    ["short trace id", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"],
    ["all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["all-zero span id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"],
    ["version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
    ["extra field on version 00", `${valid}-extra`],
    ["garbage", "not a traceparent"],
  ])("rejects %s", (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it("accepts a later version with extra fields (forward compatibility)", () => {
    expect(
      parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever")?.version,
    ).toBe("01");
  });
});

describe("createTraceparent", () => {
  it("makes a version-00 sampled header with fresh random ids", () => {
    const a = parseTraceparent(createTraceparent());
    const b = parseTraceparent(createTraceparent());
    expect(a).toMatchObject({ version: "00", flags: "01" });
    expect(a!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(a!.traceId).not.toBe(b!.traceId);
  });
});

describe("childTraceparent", () => {
  it("continues the parent's trace and flags with a new span id", () => {
    const child = parseTraceparent(
      childTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"),
    );
    expect(child).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", flags: "00" });
    expect(child!.spanId).not.toBe("00f067aa0ba902b7");
  });

  it("starts a new trace when the parent is missing or malformed", () => {
    expect(parseTraceparent(childTraceparent(undefined))).toBeDefined();
    expect(parseTraceparent(childTraceparent("junk"))?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
