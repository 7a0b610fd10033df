import { expect, test } from "vitest";
import { silentLogger } from "./logger.ts";
import { installSignalHandlers } from "./signals.ts";

test("SIGTERM stops everything in order, each within the timeout, then exits", async () => {
  const order: string[] = [];
  const { promise: exited, resolve: exit } = Promise.withResolvers<number>();
  const uninstall = installSignalHandlers(
    [
      { stop: async (ms?: number) => void order.push(`consumer:${ms}`) },
      { stop: () => new Promise<void>(() => {}) }, // hangs: must be cut off by the timeout
      { disconnect: async () => void order.push("producer") },
    ],
    100,
    { logger: silentLogger, exit },
  );
  try {
    process.emit("SIGTERM", "SIGTERM");
    // The hung step made the exit code non-zero, and did not keep the later steps from running.
    expect(await exited).toBe(1);
    expect(order).toEqual(["consumer:100", "producer"]);
  } finally {
    uninstall();
  }
});
