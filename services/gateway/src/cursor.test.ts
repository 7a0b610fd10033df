import { newProcessingId } from "@postprocess/db";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";

describe("cursor", () => {
  it("round-trips at microsecond precision", () => {
    const cursor = { createdAt: "2026-11-26T10:00:00.123456Z", processingId: newProcessingId() };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it("refuses what it did not issue", () => {
    expect(decodeCursor("not a cursor")).toBeUndefined();
    expect(decodeCursor(Buffer.from("[1,2]").toString("base64url"))).toBeUndefined();
    expect(
      decodeCursor(Buffer.from('["2026-11-26T10:00:00Z","proc_x"]').toString("base64url")),
    ).toBeUndefined();
    const badId = JSON.stringify(["2026-11-26T10:00:00.000000Z", "proc_bad"]);
    expect(decodeCursor(Buffer.from(badId).toString("base64url"))).toBeUndefined();
  });
});
