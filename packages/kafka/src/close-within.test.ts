import { describe, expect, it } from "vitest";
import { closeWithin } from "./close-within.ts";
import { captureLogger } from "./testing/helpers.ts";

describe("closeWithin", () => {
  it("waits for a close that finishes, and says the consumer stopped", async () => {
    const { logger, entries } = captureLogger();
    let closed = false;
    await closeWithin(
      async () => {
        await new Promise((r) => setTimeout(r, 20));
        closed = true;
      },
      Date.now() + 5000,
      logger,
      "g",
    );
    expect(closed).toBe(true);
    expect(entries.map((e) => e.msg)).toEqual(["consumer stopped"]);
  });

  it("returns at the deadline when the close hangs, and says so", async () => {
    const { logger, entries } = captureLogger();
    const started = Date.now();
    await closeWithin(() => new Promise(() => {}), started + 100, logger, "g");
    expect(Date.now() - started).toBeLessThan(3000);
    expect(entries).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "consumer did not disconnect within the shutdown timeout",
      }),
    ]);
  });

  it("logs a failed close and does not throw", async () => {
    const { logger, entries } = captureLogger();
    await closeWithin(() => Promise.reject(new Error("broker gone")), Date.now() + 5000, logger, "g");
    expect(entries.map((e) => e.msg)).toEqual(["consumer disconnect failed", "consumer stopped"]);
  });
});
