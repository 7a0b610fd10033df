import { createHash } from "node:crypto";
import { allTopics, registerSchemas, topics } from "@postprocess/contracts";
import { createCodec, createKafka, silentLogger } from "@postprocess/kafka";
import {
  createDatabase,
  deleteTopicsWithPrefix,
  freshMailbox,
  inbox,
  type RunningPipeline,
  startPipeline,
  test,
  uniqueName,
  waitFor,
  waitForMail,
} from "@postprocess/testkit";
import { realisticConversation, startFakeElevenLabs } from "@postprocess/testkit/fakes/elevenlabs";
import { startFakeOpenAI } from "@postprocess/testkit/fakes/openai";
import pg from "pg";
import { describe, expect } from "vitest";

const order = [
  "pending",
  "extracting",
  "storing",
  "summarizing",
  "generating_report",
  "sending_email",
  "completed",
];
const steps = ["extract", "store", "summarize", "report", "email"];

describe("the whole pipeline, every service as its own process, on the real stack", () => {
  test("a conversation becomes an emailed PDF; 404, 429, an OpenAI outage and a cancellation end as they should", async ({
    env,
    admin,
    s3,
  }) => {
    const prefix = `${uniqueName("pipe")}.`;
    await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
    const db = await createDatabase(env);
    const elevenlabs = await startFakeElevenLabs({ apiKey: "el-key" });
    const openai = await startFakeOpenAI({ apiKey: "oa-key" });
    const ids = {
      ok: "conv_e2e_ok",
      limited: "conv_e2e_429",
      llmDown: "conv_e2e_llm_down",
      cancelled: "conv_e2e_cancel",
    };
    for (const id of Object.values(ids))
      elevenlabs.add(realisticConversation({ conversation_id: id }), { audioBytes: 300_000 });
    const sql = new pg.Client({ connectionString: db.url });
    let pipeline: RunningPipeline | undefined;
    try {
      pipeline = await startPipeline(env, {
        databaseUrl: db.url,
        topicPrefix: prefix,
        extra: {
          ELEVENLABS_BASE_URL: elevenlabs.url,
          ELEVENLABS_API_KEY: "el-key",
          OPENAI_BASE_URL: openai.url,
          OPENAI_API_KEY: "oa-key",
          S3_BUCKET: uniqueName("pipe").toLowerCase(),
          RETRY_BASE_MS: "20",
          RETRY_MAX_MS: "300",
        },
      });
      await sql.connect();
      const key = await pipeline.createAccount("acme");
      const auth = { authorization: `Bearer ${key}` };
      const api = pipeline.gatewayUrl;
      const submit = async (conversationId: string, email: string) => {
        const res = await fetch(`${api}/api/v1/postprocess/conversation`, {
          method: "POST",
          headers: { "content-type": "application/json", ...auth },
          body: JSON.stringify({
            conversation_id: conversationId,
            email_id: email,
            source: { kind: "elevenlabs" },
          }),
        });
        expect(res.status).toBe(202);
        return ((await res.json()) as { processing_id: string }).processing_id;
      };
      const finished = (id: string) =>
        waitFor(
          `job ${id} to finish`,
          async () => {
            const s = (await (
              await fetch(`${api}/api/v1/postprocess/status/${id}`, { headers: { ...auth } })
            ).json()) as { status: string; error: { code: string; message: string } | null };
            return ["completed", "failed", "cancelled"].includes(s.status) && s;
          },
          { timeoutMs: 60_000, intervalMs: 100 },
        );
      const audit = async (id: string) =>
        (
          await sql.query(
            "SELECT step_name, event_status FROM processing_audit_log WHERE processing_id = $1 AND step_name IS NOT NULL",
            [id],
          )
        ).rows as { step_name: string; event_status: string }[];

      // Happy path (summarised through the OpenAI-compatible fake).
      const okInbox = freshMailbox();
      const ok = await submit(ids.ok, okInbox);
      expect(await finished(ok)).toMatchObject({ status: "completed", error: null });
      const rows = await audit(ok);
      for (const step of steps) {
        expect(rows, step).toContainEqual({ step_name: step, event_status: "started" });
        expect(rows, step).toContainEqual({ step_name: step, event_status: "completed" });
      }
      const [mail] = await waitForMail(env, okInbox);
      expect(mail!.subject).toContain(ids.ok);
      expect(mail!.mimeMessage).toContain("application/pdf");
      // S3 holds transcript, audio and report, each with the sha256 the job recorded.
      const files = (
        await sql.query(
          "SELECT file_type, minio_path, checksum, file_size FROM conversation_files WHERE processing_id = $1",
          [ok],
        )
      ).rows as { file_type: string; minio_path: string; checksum: string; file_size: string }[];
      expect(new Set(files.map((f) => f.file_type))).toEqual(
        new Set(["transcript", "audio", "report", "summary"]),
      );
      for (const f of files) {
        const slash = f.minio_path.indexOf("/");
        const body = await s3.getObject(f.minio_path.slice(0, slash), f.minio_path.slice(slash + 1));
        const hash = createHash("sha256");
        let size = 0;
        for await (const chunk of body) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        expect([hash.digest("hex"), size], f.minio_path).toEqual([f.checksum, Number(f.file_size)]);
      }
      // processing.status walked forward through the statuses, progress rising, to completed.
      const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
      const kafka = createKafka({
        brokers: env.KAFKA_BROKERS.split(","),
        clientId: uniqueName("e2e"),
        logger: silentLogger,
      });
      const seen: { status: string; progress: number; version: number }[] = [];
      const reader = kafka.consumer({ groupId: uniqueName("status"), maxWaitTimeInMs: 100 });
      await reader.connect();
      await reader.subscribe({ topic: prefix + topics.processingStatus.name, fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          const s = (await codec.decode(message.value)) as {
            processing_id: string;
            status: string;
            progress: number;
            version: number;
          };
          if (s.processing_id === ok) seen.push(s);
        },
      });
      await waitFor("the completed status on processing.status", () =>
        seen.some((s) => s.status === "completed"),
      );
      await reader.disconnect();
      seen.sort((a, b) => a.version - b.version);
      const walked = seen.map((s) => order.indexOf(s.status));
      expect(walked).toEqual([...walked].sort((a, b) => a - b));
      expect(seen.map((s) => s.progress)).toEqual(seen.map((s) => s.progress).sort((a, b) => a - b));
      expect(new Set(seen.map((s) => s.status)).size).toBeGreaterThanOrEqual(4);

      // ElevenLabs 404: the job fails with a clear message.
      const missing = await submit("conv_e2e_unknown", freshMailbox());
      const lost = await finished(missing);
      expect(lost).toMatchObject({ status: "failed", error: { code: "ELEVENLABS_NOT_FOUND" } });
      expect(lost.error!.message).toContain("conv_e2e_unknown");

      // ElevenLabs 429 once: retried, completes, the retry is in the audit log.
      elevenlabs.failNext(ids.limited, { kind: "rateLimited", retryAfterSecs: 1, times: 1 });
      const limited = await submit(ids.limited, freshMailbox());
      expect(await finished(limited)).toMatchObject({ status: "completed" });
      expect(await audit(limited)).toContainEqual({ step_name: "extract", event_status: "retried" });

      // OpenAI down: retried, then the job fails clearly.
      openai.failNext("server_error", 100);
      const down = await submit(ids.llmDown, freshMailbox());
      const failed = await finished(down);
      expect(failed).toMatchObject({ status: "failed", error: { code: "LLM_UNAVAILABLE" } });
      expect(await audit(down)).toContainEqual({ step_name: "summarize", event_status: "retried" });

      // Cancelled while the extractor waits on a slow ElevenLabs: no further step runs, no email goes out.
      elevenlabs.failNext(ids.cancelled, { kind: "slow", delayMs: 2500, times: 1 });
      const cancelInbox = freshMailbox();
      const cancelled = await submit(ids.cancelled, cancelInbox);
      await waitFor("the extract step to start", async () =>
        (await audit(cancelled)).some((r) => r.step_name === "extract" && r.event_status === "started"),
      );
      const cancel = await fetch(`${api}/api/v1/postprocess/${cancelled}/cancel`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth },
        body: "{}",
      });
      expect(cancel.status).toBe(202);
      expect(await finished(cancelled)).toMatchObject({ status: "cancelled" });
      // The next step sees the cancellation and records it instead of running.
      await waitFor(
        "a step to record the cancellation",
        async () => (await audit(cancelled)).some((r) => r.event_status === "cancelled"),
        { timeoutMs: 20_000 },
      );
      const after = await audit(cancelled);
      for (const step of ["summarize", "report", "email"]) {
        expect(after, step).not.toContainEqual({ step_name: step, event_status: "started" });
      }
      expect(await inbox(env, cancelInbox)).toEqual([]);

      expect(await pipeline.stop()).toEqual({
        callbacks: 0,
        mailer: 0,
        report: 0,
        summarizer: 0,
        storage: 0,
        extractor: 0,
        gateway: 0,
        projector: 0,
      });
      pipeline = undefined;
    } catch (err) {
      if (pipeline) console.error(pipeline.outputs());
      throw err;
    } finally {
      await pipeline?.stop();
      await sql.end().catch(() => {});
      await elevenlabs.close();
      await openai.close();
      await db.drop();
      await deleteTopicsWithPrefix(admin, prefix);
    }
  }, 180_000); // eight service processes on two cores, sharing the machine with the rest of the suite
});
