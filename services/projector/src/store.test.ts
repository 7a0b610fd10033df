import { test } from "@postprocess/testkit";
import { describe, expect } from "vitest";
import type { ProjectorInput } from "./apply-event.ts";
import { jobStream, sampleSettings } from "./fixtures.ts";
import { snapshotTables, type TablesSnapshot } from "./snapshot.ts";
import { projectBatch } from "./store.ts";
import { projectorDatabase } from "./test-support.ts";

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

describe("projectBatch on PostgreSQL", () => {
  test("folds a whole pipeline into the job row, its files and one audit row per event", async ({
    databaseUrl,
  }) => {
    const orm = await projectorDatabase(databaseUrl);
    try {
      const s = jobStream({ processingId: "proc_01JC00000000000000000000B1" });
      const out = await projectBatch(orm, s.happyPath());
      expect(out).toMatchObject({ applied: 15, duplicates: 0, rejected: [] });
      const snap = await snapshotTables(orm);
      const row = (snap.conversation_processing[0] as { row: Record<string, unknown> }).row;
      expect(row).toMatchObject({
        status: "completed",
        progress: 100,
        email_id: "ops@example.test",
        summary_sentiment: "neutral",
        total_duration: "00:00:12",
        current_step: "email",
        settings: sampleSettings,
      });
      expect(snap.conversation_files).toHaveLength(3);
      expect(snap.processing_audit_log).toHaveLength(11);
      expect(snap.processed_events).toHaveLength(15);
    } finally {
      await orm.close();
    }
  });

  test("a duplicate event changes nothing: same rows, no second audit row", async ({ databaseUrl }) => {
    const orm = await projectorDatabase(databaseUrl);
    try {
      const events = jobStream({ processingId: "proc_01JC00000000000000000000B2" }).happyPath();
      await projectBatch(orm, events);
      const before = await snapshotTables(orm);
      // Each event again, alone and in a batch that also repeats it inside itself.
      for (const e of events) await projectBatch(orm, [e]);
      const again = await projectBatch(orm, [...events, ...events]);
      expect(again).toMatchObject({ applied: 0, duplicates: 15 });
      expect(again.jobs[0]).toMatchObject({ status: "completed", version: 15 });
      expect(await snapshotTables(orm)).toEqual(before);
    } finally {
      await orm.close();
    }
  });

  test("replaying the events into an empty database, batched and interleaved differently, gives identical rows", async ({
    databaseUrl,
  }) => {
    const jobs = [
      "proc_01JC00000000000000000000C1",
      "proc_01JC00000000000000000000C2",
      "proc_01JC00000000000000000000C3",
    ];
    const streams = jobs.map((id, i) =>
      jobStream({ processingId: id, t0: Date.UTC(2026, 0, 1) + i * 500 }).happyPath(),
    );
    const live: ProjectorInput[] = streams.flat();
    const orm = await projectorDatabase(databaseUrl);
    let first: TablesSnapshot;
    try {
      for (const batch of chunks(live, 4)) await projectBatch(orm, batch);
      first = await snapshotTables(orm);
      // Drop everything the projector owns and replay: step topics before conversation.ended, other sizes.
      await orm.em
        .fork()
        .getConnection()
        .execute(
          "TRUNCATE conversation_processing, conversation_files, processing_audit_log, processed_events CASCADE",
        );
      const replay = [
        ...live.filter((e) => e.topic !== "conversationEnded"),
        ...live.filter((e) => e.topic === "conversationEnded"),
      ];
      for (const batch of chunks(replay, 7)) await projectBatch(orm, batch);
      expect(await snapshotTables(orm)).toEqual(first);
    } finally {
      await orm.close();
    }
  });

  test("events of an unknown account are rejected for the dead-letter topic; the rest of the batch applies", async ({
    databaseUrl,
  }) => {
    const orm = await projectorDatabase(databaseUrl);
    try {
      const good = jobStream({ processingId: "proc_01JC00000000000000000000D1" }).ended();
      const bad = jobStream({
        processingId: "proc_01JC00000000000000000000D2",
        accountId: "acc_nobody",
      }).ended();
      const out = await projectBatch(orm, [bad, good]);
      expect(out.applied).toBe(1);
      expect(out.rejected).toEqual([{ input: bad, reason: 'unknown account "acc_nobody"' }]);
      expect(out.jobs.map((j) => j.processingId)).toEqual(["proc_01JC00000000000000000000D1"]);
    } finally {
      await orm.close();
    }
  });
});

describe("concurrent batches of one job", () => {
  test("serialise on the job: every event counts, none is lost to a concurrent write", async ({
    databaseUrl,
  }) => {
    const orm = await projectorDatabase(databaseUrl);
    try {
      const events = jobStream({ processingId: "proc_01JC00000000000000000000G1" }).happyPath();
      // Each event in its own transaction, all at once (the pool runs ten at a time).
      await Promise.all(events.map((e) => projectBatch(orm, [e])));
      const row = ((await snapshotTables(orm)).conversation_processing[0] as { row: Record<string, unknown> })
        .row;
      expect(row).toMatchObject({
        status: "completed",
        progress: 100,
        version: 15,
        email_id: "ops@example.test",
      });
      expect(row.summary_topic).toBe("Refund");
    } finally {
      await orm.close();
    }
  });
});
