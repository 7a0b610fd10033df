import type { EventOf } from "@postprocess/contracts";
import { describe, expect, it } from "vitest";
import { applyEvent, type ProjectorInput } from "../apply-event.ts";
import { jobStream } from "../fixtures.ts";
import type { JobState } from "../job-state.ts";

const pid = "proc_01JC00000000000000000000RF";
const fold = (events: ProjectorInput[]) =>
  events.reduce<JobState | undefined>((job, ev) => applyEvent(job, ev).job, undefined)!;

function retentionEvents() {
  const s = jobStream({ processingId: pid });
  const happy = s.happyPath();
  const completedAt = happy.find((e) => e.topic === "emailSent")!.event.occurred_at;
  const deleted: ProjectorInput = {
    topic: "filesDeleted",
    event: {
      ...s.next(),
      files: [{ file_type: "audio", bucket: "postprocess", key: `acc/${pid}/audio.mp3` }],
    } satisfies EventOf<"filesDeleted">,
  };
  const archived: ProjectorInput = {
    topic: "jobArchived",
    event: { ...s.next(), completed_at: completedAt },
  };
  return { happy, deleted, archived, completedAt };
}

describe("retention events in the fold", () => {
  it("files-deleted drops the file and nulls its URL; archived keeps the completion", () => {
    const { happy, deleted, archived, completedAt } = retentionEvents();
    const job = fold([...happy, deleted, archived]);
    expect(job.files.map((f) => f.key)).toEqual([`acc/${pid}/report.pdf`, `acc/${pid}/transcript.json`]);
    expect(job.audioUrl).toBeNull();
    expect(job.transcriptUrl).not.toBeNull();
    expect(job).toMatchObject({ status: "archived", progress: 100, completedAt });
  });

  it("gives the same job whatever order the retention events replay in", () => {
    const { happy, deleted, archived } = retentionEvents();
    const inOrder = fold([...happy, deleted, archived]);
    expect(fold([archived, deleted, ...happy])).toEqual(inOrder);
    expect(fold([happy[0]!, deleted, ...happy.slice(1, 8), archived, ...happy.slice(8)])).toEqual(inOrder);
  });

  it("does not archive a failed job", () => {
    const s = jobStream({ processingId: pid });
    const failed = fold([
      s.ended(),
      s.step("extract", "failed", { error: { code: "TIMEOUT", message: "too slow" } }),
      { topic: "jobArchived", event: { ...s.next(), completed_at: new Date().toISOString() } },
    ]);
    expect(failed).toMatchObject({ status: "failed", errorCode: "TIMEOUT" });
  });
});
