import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { allTopics, registerSchemas } from "@postprocess/contracts";
import {
  createDatabase,
  deleteTopicsWithPrefix,
  freshMailbox,
  type RunningPipeline,
  startPipeline,
  test,
  uniqueName,
  waitFor,
  waitForMail,
} from "@postprocess/testkit";
import {
  audioWebhookStream,
  fakeMp3,
  realisticConversation,
  sendWebhook,
  startFakeElevenLabs,
  transcriptionWebhook,
} from "@postprocess/testkit/fakes/elevenlabs";
import { expect } from "vitest";

/** A local receiver of completion callbacks: every POST it got, with headers and raw body. */
async function startReceiver() {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/postprocess`, got, close: () => server.close() };
}

/** The Standard Webhooks check a receiver makes, written from the spec (not from our signing code). */
function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = String(headers["webhook-id"]);
  const ts = String(headers["webhook-timestamp"]);
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest();
  return String(headers["webhook-signature"])
    .split(" ")
    .some((sig) => {
      const [version, value] = sig.split(",");
      const given = Buffer.from(value ?? "", "base64");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

test("ElevenLabs webhooks start a job (audio before transcript, replay ignored), the account gets a signed callback, and no secret reaches any log", async ({
  env,
  admin,
}) => {
  const prefix = `${uniqueName("hook")}.`;
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
  const db = await createDatabase(env);
  // Long, distinctive secrets, so a log line containing one cannot be a coincidence.
  const secrets = {
    elevenLabsDeploymentKey: `xi-deploy-${randomBytes(12).toString("hex")}`,
    elevenLabsAccountKey: `xi-account-${randomBytes(12).toString("hex")}`,
    webhookSecret: `wsec_${randomBytes(16).toString("hex")}`,
  };
  // The fake accepts only the account's key: a job that used the deployment's would fail.
  const elevenlabs = await startFakeElevenLabs({ apiKey: secrets.elevenLabsAccountKey });
  const receiver = await startReceiver();
  const conversationId = "conv_webhook_e2e";
  const audioBytes = 400_000;
  let pipeline: RunningPipeline | undefined;
  try {
    pipeline = await startPipeline(env, {
      databaseUrl: db.url,
      topicPrefix: prefix,
      extra: {
        ELEVENLABS_BASE_URL: elevenlabs.url,
        ELEVENLABS_API_KEY: secrets.elevenLabsDeploymentKey,
        OPENAI_API_KEY: "",
        OPENAI_BASE_URL: "",
        S3_BUCKET: uniqueName("hook").toLowerCase(),
        CALLBACK_ALLOW_HTTP: "true",
        CALLBACK_ALLOW_PRIVATE_NETWORKS: "true",
        CALLBACK_POLL_INTERVAL_MS: "100",
        RECONCILE_INTERVAL_MS: "0",
      },
    });
    const gateway = pipeline.gatewayUrl;
    const apiKey = await pipeline.createAccount("acme");
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${gateway}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...init.headers },
      });
    const recipient = freshMailbox();
    const integration = await api("/api/v1/integrations/elevenlabs", {
      method: "PUT",
      body: JSON.stringify({
        webhook_secret: secrets.webhookSecret,
        api_key: secrets.elevenLabsAccountKey,
        recipient_email: recipient,
      }),
    });
    expect(integration.status).toBe(201);
    const endpoint = await api("/api/v1/callbacks/endpoint", {
      method: "PUT",
      body: JSON.stringify({ url: receiver.url }),
    });
    expect(endpoint.status).toBe(201);
    const { secret: callbackSecret } = (await endpoint.json()) as { secret: string };

    // Audio first (streamed, chunked), then the transcript; then ElevenLabs "retries" the transcript.
    const hookUrl = `${gateway}/api/v1/webhooks/elevenlabs/acme`;
    const audio = await sendWebhook(hookUrl, secrets.webhookSecret, () =>
      audioWebhookStream({ agentId: "agent_e2e", conversationId, audioBytes }),
    );
    expect(audio.status).toBe(200);
    const conversation = realisticConversation({ conversation_id: conversationId });
    const first = await sendWebhook(hookUrl, secrets.webhookSecret, transcriptionWebhook(conversation));
    expect(first.status).toBe(200);
    const { processing_id: processingId } = (await first.json()) as { processing_id: string };
    const replay = await sendWebhook(hookUrl, secrets.webhookSecret, transcriptionWebhook(conversation));
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { processing_id?: string }).processing_id ?? processingId).toBe(
      processingId,
    );
    const forged = await sendWebhook(hookUrl, "not-the-secret", transcriptionWebhook(conversation));
    expect(forged.status).toBe(401);

    const status = await waitFor(
      "the webhook job to finish",
      async () => {
        const s = (await (await api(`/api/v1/postprocess/status/${processingId}`)).json()) as {
          status: string;
          warnings: { code: string }[];
        };
        return ["completed", "failed", "cancelled"].includes(s.status) && s;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(status.status).toBe("completed");
    expect(status.warnings.map((w) => w.code)).not.toContain("AUDIO_NOT_RECEIVED");

    // The webhook's recording is the job's audio artifact, byte for byte.
    const history = (await (await api("/api/v1/postprocess/history")).json()) as {
      jobs: { processing_id: string; files: { file_type: string }[] }[];
    };
    expect(history.jobs.filter((j) => j.processing_id === processingId)).toHaveLength(1);
    expect(history.jobs).toHaveLength(1);
    const link = (await (
      await api(`/api/v1/postprocess/${processingId}/files/audio?redirect=false`)
    ).json()) as {
      url: string;
    };
    const stored = Buffer.from(await (await fetch(link.url)).arrayBuffer());
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(sha(stored)).toBe(sha(fakeMp3(audioBytes)));

    await waitForMail(env, recipient);

    // The completion callback: signed as Standard Webhooks says, about this job, and recorded as delivered.
    const callback = await waitFor("the completion callback", () => receiver.got[0], { timeoutMs: 30_000 });
    expect(verifyStandardWebhook(callbackSecret, callback.headers, callback.body)).toBe(true);
    expect(JSON.parse(callback.body)).toMatchObject({
      type: "job.completed",
      data: { processing_id: processingId, status: "completed" },
    });
    const deliveries = await waitFor("the delivery to be marked", async () => {
      const d = (await (await api(`/api/v1/callbacks/deliveries?processing_id=${processingId}`)).json()) as {
        deliveries: { id: string; status: string; attempts: number }[];
      };
      return d.deliveries[0]?.status === "succeeded" && d.deliveries;
    });
    expect(deliveries).toHaveLength(1);
    expect(callback.headers["webhook-id"]).toBe(deliveries[0]!.id);
    expect(receiver.got).toHaveLength(1);

    // Secrets never logged: every line every service printed during all of the above.
    const logs = pipeline.services.map((s) => s.output()).join("\n");
    expect(logs.length).toBeGreaterThan(1000);
    const mustNotAppear = {
      ...secrets,
      apiKey,
      adminKey: pipeline.adminKey,
      callbackSecret,
      callbackSecretBody: callbackSecret.replace(/^whsec_/, ""),
      s3SecretKey: env.S3_SECRET_KEY,
      ...(env.SECRETS_KEY ? { secretsKey: env.SECRETS_KEY } : {}),
    };
    for (const [name, value] of Object.entries(mustNotAppear)) {
      expect(logs.includes(value), `${name} appears in a service log`).toBe(false);
    }
  } catch (err) {
    if (pipeline) console.error(pipeline.outputs());
    throw err;
  } finally {
    await pipeline?.stop();
    receiver.close();
    await elevenlabs.close();
    await db.drop();
    await deleteTopicsWithPrefix(admin, prefix);
  }
}, 180_000); // eight service processes on two cores, sharing the machine with the rest of the suite
