import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "./logger.ts";
import { runEvery } from "./run-every.ts";

const errors: { obj: object; msg: string }[] = [];
const log: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (obj, msg) => void errors.push({ obj, msg }),
};

beforeEach(() => {
  vi.useFakeTimers();
  errors.length = 0;
});
afterEach(() => vi.useRealTimers());

describe("runEvery", () => {
  it("runs once per interval, never two at once; stop aborts the pass in flight and waits for it", async () => {
    const signals: AbortSignal[] = [];
    let finish: () => void = () => {};
    const task = vi.fn(
      (signal: AbortSignal) =>
        new Promise<void>((resolve) => {
          signals.push(signal);
          finish = resolve;
        }),
    );
    const periodic = runEvery("sweep", 1_000, task, log);
    await vi.advanceTimersByTimeAsync(999);
    expect(task).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(task).toHaveBeenCalledTimes(1);

    let stopped = false;
    const stopping = periodic.stop().then(() => {
      stopped = true;
    });
    expect(signals[0]?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it("logs a failed pass under its name and runs the next one", async () => {
    const task = vi.fn().mockRejectedValueOnce(new Error("database down")).mockResolvedValue(undefined);
    const periodic = runEvery("timeout sweep", 1_000, task, log);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(task).toHaveBeenCalledTimes(2);
    expect(errors).toEqual([
      { obj: { task: "timeout sweep", err: "database down" }, msg: "timeout sweep failed" },
    ]);
    await periodic.stop();
  });

  it("schedules nothing when the interval is 0", async () => {
    const task = vi.fn(async () => {});
    const periodic = runEvery("sweep", 0, task, log);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(task).not.toHaveBeenCalled();
    await periodic.stop();
  });
});
