import { expect, it } from "vitest";
import { applyEvent } from "./apply-event.ts";
import { jobStream } from "./fixtures.ts";
import type { JobState } from "./job-state.ts";
import { toStatusEvent } from "./status-event.ts";

it("publishes the job's state, artifacts and summary without internal bookkeeping", () => {
  let job: JobState | undefined;
  for (const e of jobStream({ processingId: "proc_01JC00000000000000000000E1" }).happyPath())
    job = applyEvent(job, e).job;
  const status = toStatusEvent(job!);
  expect(status).toMatchObject({
    status: "completed",
    progress: 100,
    sentiment: "neutral",
    version: 15,
    error: null,
  });
  expect(status.artifacts.map((a) => a.file_type).sort()).toEqual(["audio", "report", "transcript"]);
  expect(status.artifacts[0]).not.toHaveProperty("seenAt");
  expect(status.action_items[0]).toEqual({ text: "Send refund form", turns: [1], at_secs: 4 });
});
