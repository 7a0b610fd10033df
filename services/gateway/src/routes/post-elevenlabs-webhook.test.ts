import { createHash } from "node:crypto";
import { buffer } from "node:stream/consumers";
import {
  initiationFailureWebhook,
  noAudioConversation,
  realisticConversation,
  signWebhook,
  transcriptionWebhook,
} from "@postprocess/testkit/fakes/elevenlabs";
import { normalizeElevenLabsTranscript, transcriptItemSchema, webhookAudioKey } from "@postprocess/worker";
import type * as Minio from "minio";
import { describe, expect } from "vitest";
import { json, type TestGateway, test } from "../test-gateway.ts";

const SECRET = "wsec_0123456789abcdef0123456789abcdef";
const RECIPIENT = "reports@acme.example";
const URL_A = "/api/v1/webhooks/elevenlabs/acc_a";
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Gives acc_a (or `account`) an ElevenLabs integration with `secret`. */
async function integrate(gw: TestGateway, secret = SECRET, account = "acc_a"): Promise<void> {
  const res = await gw.request("/api/v1/integrations/elevenlabs", {
    method: "PUT",
    account,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ webhook_secret: secret, recipient_email: RECIPIENT }),
  });
  expect(res.status).toBeLessThan(300);
}

/** POSTs `raw` as ElevenLabs would, signed with `secret` at the app's clock (or `t`). */
function deliver(
  gw: TestGateway,
  raw: string,
  opts: { secret?: string; t?: number; url?: string; signature?: string | null } = {},
): Promise<Response> {
  const t = opts.t ?? Math.floor(gw.clock.now.getTime() / 1000);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const signature =
    opts.signature === undefined ? signWebhook(opts.secret ?? SECRET, raw, t) : opts.signature;
  if (signature !== null) headers["elevenlabs-signature"] = signature;
  return gw.request(opts.url ?? URL_A, { method: "POST", account: null, headers, body: raw });
}

const receipts = (gw: TestGateway) =>
  gw.sql<{
    webhook_type: string;
    conversation_id: string;
    processing_id: string | null;
    failure_reason: string | null;
    details: Record<string, unknown> | null;
  }>(
    "SELECT webhook_type, conversation_id, processing_id, failure_reason, details FROM elevenlabs_webhook_receipts ORDER BY id",
  );

async function keys(s3: Minio.Client, bucket: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of s3.listObjectsV2(bucket, "", true)) if (o.name) out.push(o.name);
  return out.sort();
}

describe("post_call_transcription", () => {
  test("starts one job: the transcript inline with its tool turns, the recipient, the webhook audio", async ({
    gw,
    bucket,
  }) => {
    await integrate(gw);
    const conversation = realisticConversation({ conversation_id: "conv_hook_1" });
    const res = await deliver(gw, JSON.stringify(transcriptionWebhook(conversation)));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ received: true, status: "accepted", conversation_id: "conv_hook_1" });

    expect(gw.published).toHaveLength(1);
    const published = gw.published[0]!;
    expect(published.topic).toBe("conversationEnded");
    if (published.topic !== "conversationEnded") return;
    const { event } = published;
    expect(event).toMatchObject({
      account_id: "acc_a",
      conversation_id: "conv_hook_1",
      processing_id: body.processing_id,
      email_id: RECIPIENT,
    });
    const expectedTurns = normalizeElevenLabsTranscript(
      conversation.transcript.map((t) => transcriptItemSchema.parse(t)),
    );
    expect(event.source).toEqual({
      kind: "inline",
      agent_id: conversation.agent_id,
      transcript: expectedTurns,
      audio_url: `s3://${bucket}/${webhookAudioKey("acc_a", "conv_hook_1")}`,
    });
    // Tool calls and results stay tool events, never agent text.
    const tools = event.source.transcript.filter((t) => t.role === "tool");
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((t) => t.tool_name)).toBe(true);

    const [receipt] = await receipts(gw);
    expect(receipt).toMatchObject({
      webhook_type: "post_call_transcription",
      conversation_id: "conv_hook_1",
      processing_id: body.processing_id,
    });
  });

  test("a replay (ElevenLabs' retry, or a captured request) starts nothing and publishes nothing", async ({
    gw,
  }) => {
    await integrate(gw);
    const raw = JSON.stringify(
      transcriptionWebhook(realisticConversation({ conversation_id: "conv_twice" })),
    );
    const t = Math.floor(gw.clock.now.getTime() / 1000);
    const first = await json(await deliver(gw, raw, { t }));
    // The very same request (a replay), then a re-signed retry a few minutes later.
    const again = await deliver(gw, raw, { t });
    gw.clock.now = new Date(gw.clock.now.getTime() + 5 * 60_000);
    const retried = await deliver(gw, raw);
    for (const res of [again, retried]) {
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ status: "duplicate", processing_id: first.processing_id });
    }
    expect(gw.published).toHaveLength(1);
    expect(await receipts(gw)).toHaveLength(1);
  });

  test("a conversation that already has a job (any status) gets no second one", async ({ gw }) => {
    await integrate(gw);
    const existing = await gw.insertJob({ conversationId: "conv_known", status: "completed" });
    const res = await deliver(
      gw,
      JSON.stringify(transcriptionWebhook(realisticConversation({ conversation_id: "conv_known" }))),
    );
    expect(await json(res)).toMatchObject({ status: "existing", processing_id: existing });
    expect(gw.published).toEqual([]);
    expect((await receipts(gw))[0]!.processing_id).toBe(existing);
  });

  test("has_audio false: no audio URL (the job warns NO_AUDIO); a body that fails the schema is a 422", async ({
    gw,
  }) => {
    await integrate(gw);
    const quiet = noAudioConversation({ conversation_id: "conv_quiet" });
    expect((await deliver(gw, JSON.stringify(transcriptionWebhook(quiet)))).status).toBe(200);
    expect((gw.published[0]!.event as { source: { audio_url: unknown } }).source.audio_url).toBeNull();

    const bad = transcriptionWebhook(realisticConversation({ conversation_id: "has/slash" }));
    const res = await deliver(gw, JSON.stringify(bad));
    expect(res.status).toBe(422);
    expect((await json(res)).error.details).toEqual([
      expect.objectContaining({ path: "data.conversation_id" }),
    ]);
    expect(gw.published).toHaveLength(1);
  });

  test("a publish failure answers 503 and keeps no receipt, so ElevenLabs' retry starts the job", async ({
    gw,
  }) => {
    await integrate(gw);
    const raw = JSON.stringify(transcriptionWebhook(realisticConversation({ conversation_id: "conv_down" })));
    gw.publishError = new Error("broker down");
    expect((await deliver(gw, raw)).status).toBe(503);
    expect(await receipts(gw)).toEqual([]);
    gw.publishError = undefined;
    expect(await json(await deliver(gw, raw))).toMatchObject({ status: "accepted" });
    expect(gw.published).toHaveLength(1);
  });
});

describe("signatures", () => {
  test("forged, expired, future, missing or malformed signatures are 401s that say why", async ({ gw }) => {
    await integrate(gw);
    const raw = JSON.stringify(transcriptionWebhook(realisticConversation({ conversation_id: "conv_sig" })));
    const now = Math.floor(gw.clock.now.getTime() / 1000);
    const cases: [Parameters<typeof deliver>[2], RegExp][] = [
      [{ secret: "wsec_not_the_accounts_secret" }, /does not match/],
      [{ t: now - 31 * 60 }, /more than 30 minutes old/],
      [{ t: now + 10 * 60 }, /in the future/],
      [{ signature: null }, /missing ElevenLabs-Signature/],
      [{ signature: `t=${now}` }, /malformed/],
      [{ signature: `t=${now},v1=${"a".repeat(64)}` }, /scheme v0/],
    ];
    for (const [opts, message] of cases) {
      const res = await deliver(gw, raw, opts);
      expect(res.status, String(message)).toBe(401);
      const { error } = await json(res);
      expect(error.code).toBe("INVALID_SIGNATURE");
      expect(error.message).toMatch(message);
    }
    // A valid signature over another body (the body was altered in transit).
    const altered = await deliver(gw, raw.replace("conv_sig", "conv_sig2"), {
      signature: signWebhook(SECRET, raw, now),
    });
    expect(altered.status).toBe(401);
    expect(gw.published).toEqual([]);
    expect(await receipts(gw)).toEqual([]);
  });

  test("an unknown account and an account without an integration look exactly like a wrong signature", async ({
    gw,
  }) => {
    await integrate(gw);
    const raw = JSON.stringify(transcriptionWebhook(realisticConversation()));
    const answers = [];
    for (const url of [
      "/api/v1/webhooks/elevenlabs/acc_nobody",
      "/api/v1/webhooks/elevenlabs/acc_b", // exists, no integration
      "/api/v1/webhooks/elevenlabs/not%20an%20id",
      URL_A, // exists, wrong secret
    ]) {
      const res = await deliver(gw, raw, { url, secret: url === URL_A ? "wsec_wrong_wrong_wrong" : SECRET });
      const { error } = await json(res);
      answers.push([res.status, error.code, error.message]);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual([401, "INVALID_SIGNATURE", "the signature does not match the request body"]);
  });

  test("rotation: both secrets work until the previous one is dropped or rotated out", async ({ gw }) => {
    const [s1, s2, s3] = [
      "wsec_first_secret_000000000",
      "wsec_second_secret_00000000",
      "wsec_third_secret_000000000",
    ];
    await integrate(gw, s1);
    await integrate(gw, s2);
    const failure = (n: number) =>
      JSON.stringify(initiationFailureWebhook({ agentId: "agent_x", conversationId: `conv_f${n}` }));
    let n = 0;
    const status = async (secret: string) => (await deliver(gw, failure(n++), { secret })).status;

    expect([await status(s1), await status(s2)]).toEqual([200, 200]);
    const del = await gw.request("/api/v1/integrations/elevenlabs/previous-webhook-secret", {
      method: "DELETE",
    });
    expect(del.status).toBe(204);
    expect([await status(s1), await status(s2)]).toEqual([401, 200]);
    // A second rotation drops the oldest: s2 becomes the previous one, s1 stays refused.
    await integrate(gw, s3);
    await integrate(gw, s3); // the same secret again is not a rotation: s2 stays the previous one
    expect([await status(s1), await status(s2), await status(s3)]).toEqual([401, 200, 200]);
  });
});

describe("bodies", () => {
  test("malformed JSON is a 400 once signed, a 401 otherwise; an unknown type is acknowledged", async ({
    gw,
  }) => {
    await integrate(gw);
    const broken = '{"type":"post_call_transcription","data":{';
    const signed = await deliver(gw, broken);
    expect(signed.status).toBe(400);
    expect((await json(signed)).error.code).toBe("MALFORMED_JSON");
    expect((await deliver(gw, broken, { secret: "wsec_wrong_wrong_wrong" })).status).toBe(401);
    const notObject = await deliver(gw, "[1,2,3]");
    expect(notObject.status).toBe(422);

    const future = JSON.stringify({ type: "post_call_summary", event_timestamp: 1, data: { x: 1 } });
    const ignored = await deliver(gw, future);
    expect(ignored.status).toBe(200);
    expect(await json(ignored)).toEqual({ received: true, status: "ignored", type: "post_call_summary" });
    expect(gw.logs.some((l) => l.level === "warn" && l.msg.includes("unknown type"))).toBe(true);
    expect((await deliver(gw, future, { secret: "wsec_wrong_wrong_wrong" })).status).toBe(401);
    expect(gw.published).toEqual([]);
  });

  test("a JSON body over the limit is a 413, announced (Content-Length) or streamed", async ({ gw }) => {
    await integrate(gw);
    const conversation = realisticConversation({ conversation_id: "conv_huge" });
    conversation.transcript[0]!.message = "x".repeat(10 * 1024 * 1024);
    const raw = JSON.stringify(transcriptionWebhook(conversation));
    const res = await deliver(gw, raw);
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe("PAYLOAD_TOO_LARGE");
    // Streamed without a length: cut off while reading.
    const t = Math.floor(gw.clock.now.getTime() / 1000);
    const streamed = await gw.request(URL_A, {
      method: "POST",
      account: null,
      headers: { "elevenlabs-signature": signWebhook(SECRET, raw, t) },
      body: new Blob([raw]).stream(),
      duplex: "half",
    } as RequestInit & { account: null });
    expect(streamed.status).toBe(413);
    expect(gw.published).toEqual([]);
  });

  test("call_initiation_failure is recorded (reason and SIP details), starts nothing, replays once", async ({
    gw,
  }) => {
    await integrate(gw);
    const raw = JSON.stringify(
      initiationFailureWebhook({ agentId: "agent_x", conversationId: "conv_busy" }, "busy"),
    );
    expect(await json(await deliver(gw, raw))).toMatchObject({
      status: "recorded",
      conversation_id: "conv_busy",
    });
    expect(await json(await deliver(gw, raw))).toMatchObject({ status: "duplicate" });
    const rows = await receipts(gw);
    expect(rows).toEqual([
      {
        webhook_type: "call_initiation_failure",
        conversation_id: "conv_busy",
        processing_id: null,
        failure_reason: "busy",
        details: expect.objectContaining({
          type: "sip",
          body: expect.objectContaining({ sip_status_code: 486 }),
        }),
      },
    ]);
    expect(gw.published).toEqual([]);
  });
});

describe("S3 staging", () => {
  test("nothing is left in the bucket by refused webhooks", async ({ gw, s3, bucket }) => {
    await integrate(gw);
    const audio = JSON.stringify({
      type: "post_call_audio",
      event_timestamp: 1,
      data: { agent_id: "a", conversation_id: "conv_x", full_audio: Buffer.from("mp3!").toString("base64") },
    });
    expect((await deliver(gw, audio, { secret: "wsec_wrong_wrong_wrong" })).status).toBe(401);
    const asTranscription = audio.replace("post_call_audio", "call_initiation_failure");
    expect((await deliver(gw, asTranscription)).status).toBe(422); // no failure_reason
    expect(await keys(s3, bucket)).toEqual([]);
  });

  test("the recording lands at the conversation's key, byte for byte", async ({ gw, s3, bucket }) => {
    await integrate(gw);
    const mp3 = Buffer.from("ID3 not really an mp3, but bytes all the same \u00ff\u0000");
    const raw = JSON.stringify({
      type: "post_call_audio",
      event_timestamp: 1739537319,
      data: { full_audio: mp3.toString("base64"), agent_id: "a", conversation_id: "conv_small" },
    });
    const res = await deliver(gw, raw);
    expect(await json(res)).toMatchObject({ status: "recorded", conversation_id: "conv_small" });
    const key = webhookAudioKey("acc_a", "conv_small");
    expect(await keys(s3, bucket)).toEqual([key]);
    const stored = await buffer(await s3.getObject(bucket, key));
    expect(sha256(stored)).toBe(sha256(mp3));
  });
});
