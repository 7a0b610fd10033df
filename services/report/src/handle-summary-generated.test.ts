import { createHash } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { type EventOf, newEventId } from "@postprocess/contracts";
import { createOrm, migrate, newProcessingId } from "@postprocess/db";
import { type StackEnv, test } from "@postprocess/testkit";
import { createJobStore, objectKey, type Transcript } from "@postprocess/worker";
import { stepHarness } from "@postprocess/worker/testing";
import type * as Minio from "minio";
import { expect } from "vitest";
import { sampleTurns } from "./fixtures.ts";
import { loadReportFonts } from "./fonts.ts";
import { createReportHandler, reportDisabled } from "./handle-summary-generated.ts";
import { pageCount } from "./testing/pdf-text.ts";

/** A migrated database with one account and its job, as the projector would have written it. */
async function jobDatabase(url: string, processingId: string, settings?: { enableReport: boolean }) {
  const orm = createOrm({ clientUrl: url });
  await migrate(orm);
  const sql = orm.em.fork().getConnection();
  await sql.execute("INSERT INTO accounts (id, name) VALUES ('acme', 'Acme')");
  if (settings) {
    await sql.execute(
      "INSERT INTO account_settings (account_id, enable_report_generation) VALUES ('acme', ?)",
      [settings.enableReport],
    );
  }
  await sql.execute(
    `INSERT INTO conversation_processing (processing_id, conversation_id, email_id, account_id, status)
     VALUES (?, 'conv_1', 'ops@acme.example', 'acme', 'summarizing')`,
    [processingId],
  );
  return orm;
}

/** The summarizer's hand-off, with the transcript JSON written where storage would have put it. */
async function summaryEvent(
  s3: Minio.Client,
  bucket: string,
  processingId: string,
  turns: Transcript["turns"] = sampleTurns(12),
) {
  const envelope = { processing_id: processingId, conversation_id: "conv_1", account_id: "acme" };
  const transcript: Transcript = {
    conversation_id: "conv_1",
    agent_id: "agent_42",
    started_at: "2026-11-26T12:00:00.000Z",
    duration_secs: 95,
    turns,
  };
  const key = objectKey(envelope, "transcript.json");
  const body = Buffer.from(JSON.stringify(transcript));
  await s3.putObject(bucket, key, body, body.length, { "Content-Type": "application/json" });
  const ref = (file_type: "transcript" | "summary", name: string, k: string, bytes: Buffer) => ({
    file_type,
    file_name: name,
    bucket,
    key: k,
    size: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    content_type: "application/json",
    url: null,
    url_expires_at: null,
  });
  const event: EventOf<"summaryGenerated"> = {
    ...envelope,
    event_id: newEventId(),
    occurred_at: "2026-11-26T12:01:00.000Z",
    summary: "The caller asked for a refund of an annual renewal.",
    topic: "Refund request",
    sentiment: "neutral",
    key_points: [{ text: "Customer wants a refund", turns: [1], at_secs: 7.5 }],
    action_items: [{ text: "Email the refund form", turns: [4], at_secs: 30 }],
    model: "local",
    prompt_tokens: null,
    completion_tokens: null,
    transcript: ref("transcript", "transcript.json", key, body),
    summary_file: ref("summary", "summary.json", objectKey(envelope, "summary.json"), Buffer.from("{}")),
    warnings: [{ code: "NO_AUDIO", message: "the conversation has no recording" }],
    settings: null,
  };
  return event;
}

async function withJob(
  env: StackEnv,
  orm: MikroORM,
  s3: Minio.Client,
  bucket: string,
  body: (h: Awaited<ReturnType<typeof stepHarness<"summaryGenerated">>>) => Promise<void>,
) {
  const h = await stepHarness(env, {
    input: "summaryGenerated",
    outputs: ["reportGenerated", "stepEvent"],
    group: "report",
  });
  try {
    await h.start({
      summaryGenerated: createReportHandler({
        producer: h.producer,
        jobs: createJobStore(orm),
        s3,
        region: env.S3_REGION,
        defaultBucket: bucket,
        fonts: await loadReportFonts(),
      }),
    });
    await body(h);
  } finally {
    await h.close();
    await orm.close();
  }
}

test("renders the report, stores it in S3 and hands a presigned reference on", async ({
  env,
  s3,
  bucket,
  databaseUrl,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId);
  const input = await summaryEvent(s3, bucket, processingId);
  await withJob(env, orm, s3, bucket, async (h) => {
    await h.producer.send("summaryGenerated", input);
    const [out] = await h.waitFor("reportGenerated", "the report hand-off", (e) => e.length > 0);
    const steps = await h.waitFor("stepEvent", "report started and completed", (e) => e.length >= 2);

    const key = objectKey(input, "report.pdf");
    const stored = await download(s3, bucket, key);
    expect(stored.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pageCount(stored)).toBeGreaterThanOrEqual(1);
    expect(out!.report).toMatchObject({
      file_type: "report",
      file_name: "report.pdf",
      bucket,
      key,
      size: stored.length,
      sha256: createHash("sha256").update(stored).digest("hex"),
      content_type: "application/pdf",
    });
    // A link for people: explicit 24 h expiry, and it serves the same bytes.
    expect(out!.report!.url).toContain("X-Amz-Expires=86400");
    expect(Date.parse(out!.report!.url_expires_at!) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const served = Buffer.from(await (await fetch(out!.report!.url!)).arrayBuffer());
    expect(served.equals(stored)).toBe(true);
    expect(out!.summary_file).toEqual(input.summary_file);
    expect(out!.warnings).toEqual(input.warnings);
    expect(out!.processing_id).toBe(processingId);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ["report", "started"],
      ["report", "completed"],
    ]);
  });
});

test("REPORT_DISABLED: skips the step, stores nothing, and still hands on to the mailer", async ({
  env,
  s3,
  bucket,
  databaseUrl,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId, { enableReport: false });
  const input = await summaryEvent(s3, bucket, processingId);
  await withJob(env, orm, s3, bucket, async (h) => {
    await h.producer.send("summaryGenerated", input);
    const [out] = await h.waitFor("reportGenerated", "the hand-off without report", (e) => e.length > 0);
    const steps = await h.waitFor("stepEvent", "report started and skipped", (e) => e.length >= 2);
    expect(out!.report).toBeNull();
    expect(out!.summary_file).toEqual(input.summary_file);
    expect(out!.warnings).toEqual([...input.warnings, reportDisabled]);
    expect(steps.map((s) => [s.status, s.warning])).toEqual([
      ["started", null],
      ["skipped", reportDisabled],
    ]);
    await expect(s3.statObject(bucket, objectKey(input, "report.pdf"))).rejects.toMatchObject({
      code: "NotFound",
    });
  });
});

test("a transcript that does not match its reference fails the job at once with INPUT_INVALID", async ({
  env,
  s3,
  bucket,
  databaseUrl,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId);
  const input = await summaryEvent(s3, bucket, processingId);
  const tampered = Buffer.from("{}");
  await s3.putObject(bucket, input.transcript!.key, tampered, tampered.length);
  await withJob(env, orm, s3, bucket, async (h) => {
    await h.producer.send("summaryGenerated", input);
    const steps = await h.waitFor("stepEvent", "the failed step", (e) =>
      e.some((s) => s.status === "failed"),
    );
    expect(steps.map((s) => [s.status, s.attempt, s.error?.code])).toEqual([
      ["started", 1, undefined],
      ["failed", 1, "INPUT_INVALID"],
    ]);
    expect(h.events("reportGenerated")).toEqual([]);
  });
});

test("a call in Chinese, Japanese, Korean, Hindi, Tamil and Thai gets no font warning; Tibetan still does", async ({
  env,
  s3,
  bucket,
  databaseUrl,
}) => {
  const lines = [
    "我想退款，因为我被多收了年费。",
    "返金をお願いしたいです。",
    "환불을 원합니다.",
    "मुझे रिफंड चाहिए।",
    "எனக்கு பணம் திரும்ப வேண்டும்",
    "ฉันต้องการขอคืนเงินค่ะ",
  ];
  const turns = (extra: string[]) =>
    sampleTurns(lines.length + extra.length).map((t, i) => ({ ...t, message: [...lines, ...extra][i]! }));
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId);
  const covered = await summaryEvent(s3, bucket, processingId, turns([]));
  await withJob(env, orm, s3, bucket, async (h) => {
    await h.producer.send("summaryGenerated", covered);
    const [first] = await h.waitFor("reportGenerated", "the first report", (e) => e.length > 0);
    expect(first!.warnings).toEqual(covered.warnings);
    // The same job again (written over the first transcript once that was read), now with Tibetan, which
    // no shipped font covers.
    const tibetan = await summaryEvent(s3, bucket, processingId, turns(["བཀྲ་ཤིས"]));
    await h.producer.send("summaryGenerated", tibetan);
    const outs = await h.waitFor("reportGenerated", "the second report", (e) => e.length > 1);
    expect(outs[1]!.warnings).toEqual([
      ...tibetan.warnings,
      {
        code: "REPORT_FONT_COVERAGE",
        message: expect.stringMatching(
          /^\d+ distinct character\(s\) are in scripts none of the report's fonts cover/,
        ),
      },
    ]);
  });
});

async function download(s3: Minio.Client, bucket: string, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await s3.getObject(bucket, key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
