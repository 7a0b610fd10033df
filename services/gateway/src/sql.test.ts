import { describe, expect, it } from "vitest";
import { isoOrNull } from "./sql.ts";

describe("isoOrNull", () => {
  it("reads PostgreSQL's timestamptz text in any offset and precision", () => {
    expect(isoOrNull("2026-11-26 01:37:29.52+00")).toBe("2026-11-26T01:37:29.520Z");
    expect(isoOrNull("2026-11-26 01:37:29+00")).toBe("2026-11-26T01:37:29.000Z");
    expect(isoOrNull("2026-11-26 02:37:29.123456+01")).toBe("2026-11-26T01:37:29.123Z");
    expect(isoOrNull("2026-11-26 07:07:29.5+05:30")).toBe("2026-11-26T01:37:29.500Z");
  });

  it("passes Dates and NULL through", () => {
    expect(isoOrNull(new Date("2026-11-26T01:37:29.520Z"))).toBe("2026-11-26T01:37:29.520Z");
    expect(isoOrNull(null)).toBeNull();
  });

  it("refuses anything else", () => {
    expect(() => isoOrNull("yesterday")).toThrow(TypeError);
  });
});
