import type { Logger } from "@postprocess/kafka";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startReconciler } from "./start-reconciler.ts";

const errors: string[] = [];
const log: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (obj) => void errors.push((obj as { err: string }).err),
};

beforeEach(() => {
  vi.useFakeTimers();
  errors.length = 0;
});
afterEach(() => vi.useRealTimers());

describe("startReconciler", () => {
  it("sweeps once per interval, never two at once; stop aborts the sweep in flight and waits for it", async () => {
    const signals: AbortSignal[] = [];
    let finish: () => void = () => {};
    const sweep = vi.fn(
      (signal: AbortSignal) =>
        new Promise<void>((resolve) => {
          signals.push(signal);
          finish = resolve;
        }),
    );
    const reconciler = startReconciler(1_000, sweep, log);
    await vi.advanceTimersByTimeAsync(999);
    expect(sweep).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sweep).toHaveBeenCalledTimes(1);

    let stopped = false;
    const stopping = reconciler.stop().then(() => {
      stopped = true;
    });
    expect(signals[0]?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sweep).toHaveBeenCalledTimes(1);
  });

  it("logs a failed sweep and runs the next one", async () => {
    const sweep = vi.fn().mockRejectedValueOnce(new Error("database down")).mockResolvedValue(undefined);
    const reconciler = startReconciler(1_000, sweep, log);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sweep).toHaveBeenCalledTimes(2);
    expect(errors).toEqual(["database down"]);
    await reconciler.stop();
  });

  it("schedules nothing when the interval is 0", async () => {
    const sweep = vi.fn(async () => {});
    const reconciler = startReconciler(0, sweep, log);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(sweep).not.toHaveBeenCalled();
    await reconciler.stop();
  });
});
