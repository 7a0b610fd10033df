import { allTopics, registerSchemas } from "@postprocess/contracts";
import {
  createCodec,
  createConsumer,
  createKafka,
  createProducer,
  ensureTopics,
  silentLogger,
} from "@postprocess/kafka";
import { test, uniqueName, waitFor } from "@postprocess/testkit";
import { expect } from "vitest";
import type { ProjectorInput } from "../apply-event.ts";
import { jobStream, sampleSettings } from "../fixtures.ts";
import { startProjector } from "../projector.ts";
import { projectorDatabase, projectorLag } from "../test-support.ts";
import { sweepRetention } from "./retention-sweep.ts";
import { sweepTimeouts } from "./timeout-sweep.ts";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const now = () => new Date(NOW);
const min = 60_000;
const day = 24 * 60 * min;
const id = (tag: string) => `proc_01JC000000000000000000SW${tag}`;

test("timeout and retention sweeps: events out, folded back into the tables", async ({
  env,
  admin,
  databaseUrl,
}) => {
  const prefix = `${uniqueName("sw")}.`;
  const [projGroup, storageGroup] = [uniqueName("proj"), uniqueName("stand-in")];
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
  const { created } = await ensureTopics(admin, {
    topicPrefix: prefix,
    topics: allTopics,
    groups: [projGroup, storageGroup],
  });
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS.split(","),
    clientId: uniqueName("sw"),
    logger: silentLogger,
  });
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const orm = await projectorDatabase(databaseUrl);
  const sql = (q: string, p: unknown[] = []) => orm.em.fork().getConnection().execute(q, p);
  // An account whose files expire after 3 days (the default is 30).
  await sql("INSERT INTO accounts (id, name) VALUES ('acc_short', 'Short')");
  await sql("INSERT INTO account_settings (account_id, file_retention_days) VALUES ('acc_short', 3)");
  const stops: (() => Promise<void>)[] = [];
  try {
    await producer.connect();
    stops.push(() => producer.disconnect());
    const happy = (tag: string, t0: number, accountId?: string) =>
      jobStream({ processingId: id(tag), t0, accountId }).happyPath();
    const running = jobStream({ processingId: id("AA"), t0: NOW - 20 * min });
    const young = jobStream({ processingId: id("BB"), t0: NOW - 2 * min });
    // As old as AA, but accepted with 30 minutes (its snapshot), more than the account's default 10.
    const patient = jobStream({ processingId: id("HH"), t0: NOW - 20 * min });
    const events: ProjectorInput[] = [
      running.ended(),
      running.step("extract", "started"),
      running.step("extract", "completed"),
      running.step("store", "started"),
      young.ended(),
      young.step("extract", "started"),
      patient.ended({ ...sampleSettings, processing_timeout_minutes: 30 }),
      patient.step("extract", "started"),
      ...happy("CC", NOW - 20 * min), // finished: never timed out
      ...happy("DD", NOW - 40 * day), // files past 30 days
      ...happy("EE", NOW - 5 * day), // files kept
      ...happy("FF", NOW - 400 * day), // archived, files and audit rows gone
      ...happy("GG", NOW - 5 * day, "acc_short"), // files past the account's 3 days
    ];
    await producer.sendBatch(events.map((e) => ({ topic: e.topic, event: e.event }) as never));
    const projector = await startProjector({
      orm,
      kafka,
      codec,
      groupId: projGroup,
      topicPrefix: prefix,
      logger: silentLogger,
    });
    stops.unshift(
      () => projector.producer.disconnect(),
      () => projector.consumer.stop(),
    );
    const statuses = async () =>
      Object.fromEntries(
        (await sql("SELECT processing_id, status, error_code FROM conversation_processing")).map((r) => [
          (r.processing_id as string).slice(-2),
          r.error_code ? `${r.status}:${r.error_code}` : r.status,
        ]),
      );
    await waitFor(
      "every job folded",
      async () => {
        const s = await statuses();
        return (
          s.AA === "storing" &&
          s.BB === "extracting" &&
          s.HH === "extracting" &&
          // Its conversation.ended folded too (the topics interleave): the snapshot is stored.
          (
            await sql(
              "SELECT 1 FROM conversation_processing WHERE processing_id = ? AND settings IS NOT NULL",
              [id("HH")],
            )
          ).length === 1 &&
          Object.values(s).filter((x) => x === "completed").length === 5
        );
      },
      { timeoutMs: 30_000 },
    );

    // Timeouts: only the old running job; two sweeps (two replicas) publish the same event.
    const [first, second] = [
      await sweepTimeouts({ orm, producer, now }),
      await sweepTimeouts({ orm, producer, now }),
    ];
    expect(first.map((e) => [e.processing_id, e.step, e.error?.code])).toEqual([
      [id("AA"), "store", "TIMEOUT"],
    ]);
    expect(second.map((e) => e.event_id)).toEqual(first.map((e) => e.event_id));
    await waitFor("the old job failed with TIMEOUT", async () => (await statuses()).AA === "failed:TIMEOUT");
    expect((await statuses()).BB).toBe("extracting");
    expect((await statuses()).HH).toBe("extracting");
    const timeoutRows = await sql(
      "SELECT count(*)::int AS n FROM processing_audit_log WHERE error_message LIKE 'TIMEOUT:%'",
    );
    expect(timeoutRows[0]!.n).toBe(1);
    expect(await sweepTimeouts({ orm, producer, now })).toEqual([]);
    // Terminal is sticky: the step finishing late changes nothing.
    await producer.sendBatch([
      { topic: "stepEvent", event: running.step("store", "completed").event as never },
    ]);
    // Let the projector fold it before counting rows: it adds an audit row, never a status change.
    await waitFor(
      "the projector to commit the late event",
      async () => (await projectorLag(admin, projGroup, prefix)) === 0,
    );
    expect((await statuses()).AA).toBe("failed:TIMEOUT");

    // Retention, dry: the plan lists what would go and nothing changes.
    const counts = async () =>
      (
        await sql(
          `SELECT (SELECT count(*)::int FROM processing_audit_log) AS audit, (SELECT count(*)::int FROM conversation_files) AS files,
           (SELECT count(*)::int FROM conversation_processing WHERE status = 'archived') AS archived`,
        )
      )[0];
    const before = await counts();
    const dry = await sweepRetention({ orm, now, dryRun: true });
    const oldAudit = await sql(
      "SELECT count(*)::int AS n FROM processing_audit_log WHERE processing_id = ?",
      [id("FF")],
    );
    expect(oldAudit[0]!.n).toBeGreaterThan(0);
    expect(dry.auditRows).toBe(oldAudit[0]!.n); // only the 400-day-old job's rows are past 90 days
    expect(
      dry.filesExpired.map((e) => [e.processing_id.slice(-2), e.files.map((f) => f.file_type).sort()]),
    ).toEqual([
      ["DD", ["audio", "report", "transcript"]],
      ["FF", ["audio", "report", "transcript"]],
      ["GG", ["audio", "report", "transcript"]],
    ]);
    expect(dry.archived.map((e) => e.processing_id)).toEqual([id("FF")]);
    expect(await counts()).toEqual(before);

    // A stand-in for the storage service (which has its own test against S3): acknowledges the deletion.
    const standIn = createConsumer(kafka, codec, {
      groupId: storageGroup,
      topicPrefix: prefix,
      logger: silentLogger,
      handlers: {
        filesExpired: async (e) => {
          await producer.sendBatch([
            {
              topic: "filesDeleted",
              event: { ...e, event_id: `${e.event_id}_del`, occurred_at: new Date(NOW).toISOString() },
            },
          ]);
        },
      },
    });
    await standIn.start();
    stops.unshift(() => standIn.stop());

    const plan = await sweepRetention({ orm, producer, now });
    expect(plan.filesExpired.map((e) => e.event_id)).toEqual(dry.filesExpired.map((e) => e.event_id));
    await waitFor(
      "expired files dropped and the old job archived",
      async () => {
        const files = await sql(
          "SELECT DISTINCT right(processing_id, 2) AS job FROM conversation_files ORDER BY 1",
        );
        const state = `FF ${(await statuses()).FF}, files of ${files.map((f) => f.job).join()}`;
        if (state !== "FF archived, files of CC,EE") throw new Error(state);
        return state;
      },
      { timeoutMs: 30_000 },
    );
    const urls = await sql(
      `SELECT right(processing_id, 2) AS job, minio_audio_url AS audio, minio_report_url AS report
       FROM conversation_processing WHERE right(processing_id, 2) IN ('DD', 'EE') ORDER BY 1`,
    );
    expect(urls[0]).toMatchObject({ job: "DD", audio: null, report: null });
    expect(urls[1]!.audio).not.toBeNull();
    const audit = await sql("SELECT count(*)::int AS n FROM processing_audit_log WHERE processing_id = ?", [
      id("FF"),
    ]);
    expect(audit[0]!.n).toBe(0);
    expect((await statuses()).AA).toBe("failed:TIMEOUT");
    // Nothing left to do: the next pass publishes nothing.
    const again = await sweepRetention({ orm, producer, now });
    expect([again.auditRows, again.filesExpired.length, again.archived.length]).toEqual([0, 0, 0]);
  } finally {
    for (const stop of stops) await stop().catch(() => {});
    await orm.close();
    await admin.deleteTopics({ topics: created }).catch(() => {});
  }
});
