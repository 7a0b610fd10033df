import { describe, expect, it } from "vitest";
import type { ConversationSummary } from "./elevenlabs-list.ts";
import { classify, defaultReconcilePolicy as policy, progressAfter, runWindow } from "./window.ts";

const now = new Date("2026-11-26T12:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const secs = (d: Date) => d.getTime() / 1000;
const MIN = 60_000;
const HOUR = 60 * MIN;
const cutoff = ago(policy.graceMs);

const call = (status: string, startedAgoMs: number, durationSecs = 60): ConversationSummary => ({
  conversation_id: "conv_1",
  agent_id: "agent_1",
  status,
  start_time_unix_secs: secs(ago(startedAgoMs)),
  call_duration_secs: durationSecs,
});

describe("runWindow", () => {
  it("looks back `lookbackMs` on a first run, and up to now − grace, a second wider on each side", () => {
    const w = runWindow({ reconciledUntil: null, resumeBefore: null }, now, policy);
    expect(w.cutoff).toEqual(ago(10 * MIN));
    expect(w.fromSecs).toBe(secs(ago(24 * HOUR)) - 1);
    expect(w.toSecs).toBe(secs(ago(10 * MIN)) + 1);
  });

  it("starts `overlapMs` before the mark, and stops at the resume point when there is one", () => {
    const mark = ago(3 * HOUR);
    const w = runWindow({ reconciledUntil: mark, resumeBefore: ago(2 * HOUR) }, now, policy);
    expect(w.fromSecs).toBe(secs(ago(4 * HOUR)) - 1);
    expect(w.toSecs).toBe(secs(ago(2 * HOUR)) + 1);
  });
});

describe("classify", () => {
  it("starts a done call that ended before the cutoff, and waits for one that ended after it", () => {
    expect(classify(call("done", 30 * MIN, 60), now, cutoff, policy)).toBe("start");
    // Started 15 min ago, lasted 10: ended 5 min ago, inside the grace period.
    expect(classify(call("done", 15 * MIN, 600), now, cutoff, policy)).toBe("pending");
  });

  it("waits for running calls, gives up on ones unfinished for a day, and never starts failed ones", () => {
    for (const status of ["initiated", "in-progress", "processing"])
      expect(classify(call(status, 2 * HOUR), now, cutoff, policy)).toBe("pending");
    expect(classify(call("in-progress", 25 * HOUR), now, cutoff, policy)).toBe("settled");
    expect(classify(call("failed", 2 * HOUR), now, cutoff, policy)).toBe("settled");
  });
});

describe("progressAfter", () => {
  const first = { reconciledUntil: null, resumeBefore: null };
  const w = runWindow(first, now, policy);

  it("a complete run moves the mark to now − grace, or to the earliest call still pending", () => {
    const run = { complete: true, earliestPending: null, earliestSeen: ago(5 * HOUR) };
    expect(progressAfter(first, w, run)).toEqual({ reconciledUntil: cutoff, resumeBefore: null });
    expect(progressAfter(first, w, { ...run, earliestPending: ago(2 * HOUR) })).toEqual({
      reconciledUntil: ago(2 * HOUR),
      resumeBefore: null,
    });
  });

  it("a run stopped early keeps the mark and resumes one second above the earliest call it saw", () => {
    const before = { reconciledUntil: ago(30 * HOUR), resumeBefore: null };
    const run = { complete: false, earliestPending: ago(HOUR), earliestSeen: ago(3 * HOUR) };
    expect(progressAfter(before, w, run)).toEqual({
      reconciledUntil: ago(30 * HOUR),
      resumeBefore: new Date(ago(3 * HOUR).getTime() + 1000),
    });
    // Nothing listed at all (a 429 on the first page): nothing changes.
    expect(progressAfter(before, w, { ...run, earliestSeen: null })).toBe(before);
  });

  it("the run that finishes a resumed window moves the mark to the resume point, not past it", () => {
    const before = { reconciledUntil: ago(30 * HOUR), resumeBefore: ago(3 * HOUR) };
    const resumed = runWindow(before, now, policy);
    const run = { complete: true, earliestPending: null, earliestSeen: ago(29 * HOUR) };
    expect(progressAfter(before, resumed, run)).toEqual({
      reconciledUntil: ago(3 * HOUR),
      resumeBefore: null,
    });
    // A resumed run that stops early again only ever moves the resume point down.
    const stuck = { complete: false, earliestPending: null, earliestSeen: ago(3 * HOUR) };
    expect(progressAfter(before, resumed, stuck)).toBe(before);
    const deeper = { complete: false, earliestPending: null, earliestSeen: ago(10 * HOUR) };
    expect(progressAfter(before, resumed, deeper).resumeBefore).toEqual(
      new Date(ago(10 * HOUR).getTime() + 1000),
    );
  });
});
