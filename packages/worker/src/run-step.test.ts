import type { BatchItem, HandlerContext } from "@postprocess/kafka";
import { RetriableError, silentLogger } from "@postprocess/kafka";
import { describe, expect, it, vi } from "vitest";
import type { JobStore, JobView } from "./job-store.ts";
import { runStep, type StepOutcome, type StepWork } from "./run-step.ts";
import { defaultSettings, settingsToRow } from "./settings.ts";
import { StepError } from "./step-error.ts";

const input = { processing_id: "proc_01JC00000000000000000000W1", conversation_id: "c1", account_id: "acc" };
const t0 = new Date("2026-11-26T12:00:00.000Z");

function harness(
  views: Partial<JobView>[],
  attempt = { attempt: 1, lastAttempt: false },
  signal = new AbortController().signal,
) {
  const sent: BatchItem[] = [];
  let i = 0;
  const jobs: JobStore = {
    async view() {
      const v = views[Math.min(i++, views.length - 1)];
      return { status: "extracting", createdAt: t0, settings: defaultSettings, ...v };
    },
  };
  const ctx = {
    ...attempt,
    log: silentLogger,
    signal,
    traceparent: "00-",
  } as unknown as HandlerContext;
  const run = (work: (w: StepWork) => Promise<StepOutcome>) =>
    runStep({
      step: "extract",
      input,
      ctx,
      deps: {
        producer: { sendBatch: async (b) => void sent.push(...b) },
        jobs,
        now: () => new Date(t0.getTime() + 1000),
      },
      exhaustedCode: "UPSTREAM_UNAVAILABLE",
      work,
    });
  const statuses = () =>
    sent.filter((s) => s.topic === "stepEvent").map((s) => (s.event as { status: string }).status);
  return { sent, run, statuses };
}

/** A handler context of a first attempt that is not the last. */
const firstAttempt = () =>
  ({ attempt: 1, lastAttempt: false, log: silentLogger, signal: new AbortController().signal }) as never;
/** A job store whose job is extracting, with the default settings. */
const extracting: JobStore = {
  view: async () => ({ status: "extracting", createdAt: t0, settings: defaultSettings }),
};

describe("runStep", () => {
  it("publishes started, the work's events and completed", async () => {
    const h = harness([{}]);
    await h.run(async (w) => ({
      emit: [{ topic: "cancelRequested", event: { ...w.envelope("x"), reason: null } }],
    }));
    expect(h.sent.map((s) => s.topic)).toEqual(["stepEvent", "cancelRequested", "stepEvent"]);
    expect(h.statuses()).toEqual(["started", "completed"]);
  });

  it("a quick step sends `started` in the same request as its outcome, first", async () => {
    const requests: string[] = [];
    await runStep({
      step: "extract",
      input,
      ctx: firstAttempt(),
      deps: {
        producer: {
          sendBatch: async (b) =>
            void requests.push(b.map((i) => (i.topic === "stepEvent" ? i.event.status : i.topic)).join("+")),
        },
        jobs: extracting,
        startedDeferMs: 60_000,
      },
      exhaustedCode: "UPSTREAM_UNAVAILABLE",
      work: async () => ({ emit: [] }),
    });
    expect(requests).toEqual(["started+completed"]);
  });

  it("a slow step sends `started` alone while the work runs, and the rest only once `started` is acknowledged", async () => {
    const order: string[] = [];
    let ackStarted!: () => void;
    const producer = {
      sendBatch: (b: readonly BatchItem[]) => {
        const statuses = b.map((i) => (i.topic === "stepEvent" ? i.event.status : i.topic)).join("+");
        order.push(`send ${statuses}`);
        if (statuses !== "started") return Promise.resolve();
        return new Promise<void>((resolve) => {
          ackStarted = () => {
            order.push("ack started");
            resolve();
          };
        });
      },
    };
    let finishWork!: () => void;
    const running = runStep({
      step: "extract",
      input,
      ctx: firstAttempt(),
      deps: {
        producer,
        jobs: extracting,
        startedDeferMs: 5,
      },
      exhaustedCode: "UPSTREAM_UNAVAILABLE",
      async work() {
        order.push("work");
        await new Promise<void>((r) => {
          finishWork = r;
        });
        return { emit: [] };
      },
    });
    await vi.waitFor(() => expect(order).toEqual(["work", "send started"]));
    finishWork();
    await new Promise((r) => setTimeout(r, 20));
    // The outcome waits for the ack of `started`.
    expect(order).toEqual(["work", "send started"]);
    ackStarted();
    await running;
    expect(order).toEqual(["work", "send started", "ack started", "send completed"]);
  });

  it("fails the step when `started` could not be sent, even though the work succeeded", async () => {
    let sends = 0;
    const run = runStep({
      step: "extract",
      input,
      ctx: firstAttempt(),
      deps: {
        producer: {
          sendBatch: async () => {
            sends++;
            throw new RetriableError("broker unreachable");
          },
        },
        jobs: extracting,
        startedDeferMs: 1,
      },
      exhaustedCode: "UPSTREAM_UNAVAILABLE",
      work: () => new Promise((r) => setTimeout(() => r({ emit: [] }), 30)),
    });
    // The runtime retries the message; nothing after `started` was attempted.
    await expect(run).rejects.toThrow("broker unreachable");
    expect(sends).toBe(1);
  });

  it("runs with the settings snapshot its input carries (no live read) and hands the snapshot on", async () => {
    const snapshot = { ...settingsToRow(defaultSettings), processing_timeout_minutes: 7 };
    const carriedToView: unknown[] = [];
    let seen: StepWork | undefined;
    await runStep({
      step: "store",
      input: { ...input, settings: snapshot },
      ctx: firstAttempt(),
      deps: {
        producer: { sendBatch: async () => {} },
        jobs: {
          view: async (_id, _acc, carried) => {
            carriedToView.push(carried);
            return { status: undefined, createdAt: undefined, settings: carried ?? defaultSettings };
          },
        },
      },
      exhaustedCode: "STORAGE_FAILED",
      async work(w) {
        seen = w;
        await w.checkCancelled();
        return { emit: [] };
      },
    });
    expect(seen?.settings.processingTimeoutMinutes).toBe(7);
    expect(seen?.snapshot).toEqual(snapshot);
    // Both reads of the job (before the step, and the cancellation check) were handed the snapshot.
    expect(carriedToView).toEqual([
      expect.objectContaining({ processingTimeoutMinutes: 7 }),
      expect.objectContaining({ processingTimeoutMinutes: 7 }),
    ]);
  });

  it("gives every event a deterministic id: running the step again publishes the same ids", async () => {
    const a = harness([{}]);
    const b = harness([{}]);
    const work = async (w: StepWork) => ({
      emit: [{ topic: "cancelRequested", event: { ...w.envelope("x"), reason: null } } as BatchItem],
    });
    await a.run(work);
    await b.run(work);
    expect(a.sent.map((s) => (s.event as { event_id: string }).event_id)).toEqual(
      b.sent.map((s) => (s.event as { event_id: string }).event_id),
    );
  });

  it("leaves a finished job alone, recording a cancelled step only for a cancelled job", async () => {
    const done = harness([{ status: "completed" }]);
    let ran = false;
    await done.run(async () => {
      ran = true;
      return { emit: [] };
    });
    expect([ran, done.sent]).toEqual([false, []]);
    const cancelled = harness([{ status: "cancelled" }]);
    await cancelled.run(async () => ({ emit: [] }));
    expect(cancelled.statuses()).toEqual(["cancelled"]);
  });

  it("fails a job past its account's timeout with TIMEOUT, without running the work", async () => {
    const h = harness([{ createdAt: new Date(t0.getTime() - 11 * 60_000) }]);
    await h.run(async () => {
      throw new Error("must not run");
    });
    expect(h.statuses()).toEqual(["failed"]);
    expect((h.sent[0]!.event as { error: { code: string } }).error.code).toBe("TIMEOUT");
  });

  it("records a retriable failure as retried and rethrows it for the runtime to retry", async () => {
    const h = harness([{}]);
    await expect(h.run(async () => Promise.reject(new RetriableError("429 from upstream")))).rejects.toThrow(
      "429",
    );
    expect(h.statuses()).toEqual(["started", "retried"]);
  });

  it("fails the job on the last attempt, with the step's code for an exhausted retriable error", async () => {
    const h = harness([{}], { attempt: 5, lastAttempt: true });
    await h.run(async () => Promise.reject(new RetriableError("still 503")));
    expect(h.statuses()).toEqual(["started", "failed"]);
    expect((h.sent[1]!.event as { error: unknown }).error).toEqual({
      code: "UPSTREAM_UNAVAILABLE",
      message: "still 503",
    });
  });

  it("fails the job at once on a non-retriable StepError, with its code", async () => {
    const h = harness([{}]);
    await h.run(async () => Promise.reject(new StepError("ELEVENLABS_NOT_FOUND", "no such conversation")));
    expect((h.sent[1]!.event as { error: { code: string } }).error.code).toBe("ELEVENLABS_NOT_FOUND");
  });

  it("stops a step whose job was cancelled meanwhile, publishing only the cancellation", async () => {
    const h = harness([{}, { status: "cancelled" }]);
    await h.run(async (w) => {
      await w.checkCancelled();
      return { emit: [{ topic: "cancelRequested", event: { ...w.envelope("x"), reason: null } }] };
    });
    expect(h.sent.map((s) => s.topic)).toEqual(["stepEvent", "stepEvent"]);
    expect(h.statuses()).toEqual(["started", "cancelled"]);
  });

  it("records a skip with its warning", async () => {
    const h = harness([{}]);
    await h.run(async () => ({
      emit: [],
      skipped: true,
      warning: { code: "REPORT_DISABLED", message: "off" },
    }));
    expect(h.statuses()).toEqual(["started", "skipped"]);
    expect((h.sent[1]!.event as { warning: unknown }).warning).toEqual({
      code: "REPORT_DISABLED",
      message: "off",
    });
  });

  it("records nothing for a failure caused by shutdown, even on the last attempt: the next owner retries", async () => {
    const stopping = new AbortController();
    const h = harness([{}], { attempt: 5, lastAttempt: true }, stopping.signal);
    await expect(
      h.run(async () => {
        stopping.abort();
        throw new Error("fetch aborted");
      }),
    ).rejects.toThrow("aborted");
    // Not even `started`: it had not gone out yet, and a step abandoned by shutdown adds nothing.
    expect(h.statuses()).toEqual([]);
  });
});
