import { describe, expect, it } from "vitest";
import { applyEvent, type ProjectorInput } from "./apply-event.ts";
import { jobStream, sampleSettings } from "./fixtures.ts";
import type { JobState } from "./job-state.ts";

const fold = (events: ProjectorInput[], start?: JobState) =>
  events.reduce<{ job: JobState | undefined; audits: number }>(
    (acc, ev) => {
      const r = applyEvent(acc.job, ev);
      return { job: r.job, audits: acc.audits + (r.audit ? 1 : 0) };
    },
    { job: start, audits: 0 },
  );

describe("applyEvent", () => {
  it("walks a job through every status with progress rising to 100", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000AA" });
    const seen: string[] = [];
    const progress: number[] = [];
    let job: JobState | undefined;
    for (const ev of s.happyPath()) {
      job = applyEvent(job, ev).job;
      if (seen.at(-1) !== job.status) seen.push(job.status);
      progress.push(job.progress);
    }
    expect(seen).toEqual([
      "pending",
      "extracting",
      "storing",
      "summarizing",
      "generating_report",
      "sending_email",
      "completed",
    ]);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(job).toMatchObject({
      progress: 100,
      summary: "The caller asked about a refund.",
      sentiment: "neutral",
      emailId: "ops@example.test",
      reportUrl: expect.stringContaining("report.pdf"),
      audioUrl: expect.stringContaining("audio.mp3"),
      transcriptUrl: expect.stringContaining("transcript.json"),
    });
    expect(job!.files).toHaveLength(3);
    expect(job!.totalDurationMs).toBe(Date.parse(job!.completedAt!) - Date.parse(job!.startedAt!));
  });

  it("keeps the settings snapshot of conversation.ended, whatever order the events come in", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000AS" });
    const events = s.happyPath();
    expect(fold(events).job!.settings).toEqual(sampleSettings);
    expect(fold([...events].reverse()).job!.settings).toEqual(sampleSettings);
    // An outside publisher that sent none: the job has no snapshot (workers read the live settings).
    const other = jobStream({ processingId: "proc_01JC00000000000000000000AT" });
    expect(fold([other.step("extract", "started"), other.ended(null)]).job!.settings).toBeNull();
  });

  it("writes one audit row per step event and for the job's start", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000AB" });
    const { audits } = fold(s.happyPath());
    expect(audits).toBe(1 + 10); // conversation.ended + started/completed of five steps
  });

  it("never moves a completed job backwards when late events arrive", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000AC" });
    const { job } = fold([
      ...s.happyPath(),
      s.step("store", "started"),
      s.step("summarize", "failed", { error: { code: "X", message: "late" } }),
    ]);
    expect(job).toMatchObject({ status: "completed", progress: 100, errorCode: null });
  });

  it("fails a job with the step's error code and message", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000AD" });
    const { job } = fold([
      s.ended(),
      s.step("extract", "started"),
      s.step("extract", "failed", {
        error: { code: "ELEVENLABS_NOT_FOUND", message: "conversation not found" },
      }),
      s.step("store", "started"),
    ]);
    expect(job).toMatchObject({
      status: "failed",
      errorCode: "ELEVENLABS_NOT_FOUND",
      errorMessage: "conversation not found",
    });
  });

  it("cancels a running job and ignores its later steps", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000AE" });
    const cancel: ProjectorInput = {
      topic: "cancelRequested",
      event: { ...s.next(), reason: "customer asked" },
    };
    const { job } = fold([s.ended(), s.step("extract", "started"), cancel, s.step("store", "started")]);
    expect(job).toMatchObject({ status: "cancelled", progress: 5 });
    expect(job!.completedAt).toBe(cancel.event.occurred_at);
  });

  it("gives the same job whatever order the events arrive in (replay across topics)", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000AF" });
    const events = s.happyPath();
    const expected = fold(events).job;
    let seed = 7;
    const rand = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 25; i++) {
      const shuffled = [...events].sort(() => rand() - 0.5);
      expect(fold(shuffled).job).toEqual(expected);
    }
  });

  it("records skips as warnings without failing the job", () => {
    const s = jobStream({ processingId: "proc_01JC00000000000000000000AG" });
    const { job } = fold([
      s.ended(),
      s.step("report", "skipped", {
        warning: { code: "REPORT_DISABLED", message: "report generation is off" },
      }),
    ]);
    expect(job).toMatchObject({
      status: "pending",
      warnings: [{ code: "REPORT_DISABLED", message: "report generation is off" }],
    });
  });
});
