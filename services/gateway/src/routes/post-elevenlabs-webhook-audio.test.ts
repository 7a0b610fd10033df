import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { serve } from "@hono/node-server";
import {
  audioWebhookStream,
  fakeMp3Stream,
  sendWebhook,
  signWebhookStream,
} from "@postprocess/testkit/fakes/elevenlabs";
import { webhookAudioKey } from "@postprocess/worker";
import type * as Minio from "minio";
import { describe, expect } from "vitest";
import { json, type TestGateway, test } from "../test-gateway.ts";

const SECRET = "wsec_audio_0123456789abcdef0123";
const MiB = 1024 * 1024;

type Request = (path: string, init: RequestInit & { account?: string | null }) => Promise<Response>;

/** Gives acc_a an integration through `request` (the fixture's app, or one built by the test). */
async function integrate(request: Request): Promise<void> {
  const res = await request("/api/v1/integrations/elevenlabs", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ webhook_secret: SECRET, recipient_email: "ops@acme.example" }),
  });
  expect(res.status).toBe(201);
}

/** Streams an audio webhook of `audioBytes` of MP3 to acc_a's receiver, signed, chunked. */
async function sendAudio(
  request: Request,
  opts: { conversationId: string; audioBytes: number; audioFirst?: boolean; t: number },
): Promise<Response> {
  // Built twice (to sign, to send): the same event_timestamp both times, or the bodies differ.
  const body = () => audioWebhookStream({ agentId: "agent_1", eventTimestamp: opts.t, ...opts });
  const signature = await signWebhookStream(SECRET, body(), opts.t);
  return request("/api/v1/webhooks/elevenlabs/acc_a", {
    method: "POST",
    account: null,
    headers: { "content-type": "application/json", "elevenlabs-signature": signature },
    body: pulled(body()),
    duplex: "half",
  } as RequestInit);
}

/**
 * A request body read only as fast as the receiver reads it (`Readable.toWeb` reads ahead of a slow
 * consumer, which would make the test, not the gateway, hold the recording).
 */
const pulled = (stream: Readable) => ReadableStream.from(stream as AsyncIterable<Uint8Array>);

/** sha256 and size of the MP3 the fake generates, computed as a stream. */
async function expectedMp3(size: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  for await (const chunk of fakeMp3Stream(size)) hash.update(chunk);
  return { sha256: hash.digest("hex"), size };
}

async function objects(s3: Minio.Client, bucket: string): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  for await (const o of s3.listObjectsV2(bucket, "", true))
    if (o.name) out.push({ key: o.name, size: o.size });
  return out;
}

async function sha256Of(s3: Minio.Client, bucket: string, key: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of await s3.getObject(bucket, key)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const now = (gw: TestGateway) => Math.floor(gw.clock.now.getTime() / 1000);

describe("post_call_audio", () => {
  test("a multi-part recording is streamed to the conversation's key; a replay overwrites it", async ({
    gw,
    s3,
    bucket,
  }) => {
    await integrate(gw.request);
    const size = 19 * MiB + 321; // three 8 MiB parts, the last one short
    const want = await expectedMp3(size);
    // Field order is not promised: full_audio before conversation_id is the hard case (temp key, then copy).
    const res = await sendAudio(gw.request, {
      conversationId: "conv_rec",
      audioBytes: size,
      audioFirst: true,
      t: now(gw),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: "recorded", conversation_id: "conv_rec" });

    const key = webhookAudioKey("acc_a", "conv_rec");
    expect(await objects(s3, bucket)).toEqual([{ key, size }]); // no staging leftovers
    expect(await sha256Of(s3, bucket, key)).toBe(want.sha256);
    expect((await s3.statObject(bucket, key)).metaData["content-type"]).toBe("audio/mpeg");
    const [receipt] = await gw.sql<{ details: Record<string, unknown> }>(
      "SELECT details FROM elevenlabs_webhook_receipts WHERE webhook_type = 'post_call_audio'",
    );
    expect(receipt!.details).toEqual({ bucket, key, size, sha256: want.sha256 });

    const again = await sendAudio(gw.request, { conversationId: "conv_rec", audioBytes: size, t: now(gw) });
    expect(await json(again)).toMatchObject({ status: "duplicate" });
    expect(await objects(s3, bucket)).toEqual([{ key, size }]);
    expect(gw.published).toEqual([]);
  });

  test("over a real HTTP connection, chunked as ElevenLabs sends it", async ({ gw, s3, bucket }) => {
    await integrate(gw.request);
    const server = serve({ fetch: gw.app.fetch, hostname: "127.0.0.1", port: 0 });
    try {
      await new Promise((resolve) => server.once("listening", resolve));
      const { port } = server.address() as AddressInfo;
      const t = now(gw);
      const size = 3 * MiB + 7;
      const res = await sendWebhook(
        `http://127.0.0.1:${port}/api/v1/webhooks/elevenlabs/acc_a`,
        SECRET,
        () =>
          audioWebhookStream({
            agentId: "a",
            conversationId: "conv_http",
            audioBytes: size,
            eventTimestamp: t,
          }),
        t,
      );
      expect(res.status).toBe(200);
      const key = webhookAudioKey("acc_a", "conv_http");
      expect(await sha256Of(s3, bucket, key)).toBe((await expectedMp3(size)).sha256);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("memory stays flat while a large recording streams through", async ({ gw, bucket }) => {
    await integrate(gw.request);
    const size = 48 * MiB;
    // What is live, not garbage waiting for a collection: collect, then measure.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const live = () => {
      // Twice: a collection frees ArrayBuffers' memory in the background, and the next one finishes that.
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = live();
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, live() - baseline);
    }, 500);
    try {
      const res = await sendAudio(gw.request, { conversationId: "conv_big", audioBytes: size, t: now(gw) });
      expect(res.status).toBe(200);
    } finally {
      clearInterval(sampler);
    }
    const [receipt] = await gw.sql<{ details: { size: number; bucket: string } }>(
      "SELECT details FROM elevenlabs_webhook_receipts",
    );
    expect(receipt!.details).toMatchObject({ size, bucket });
    // Holding the body or the recording would keep 48 MiB (base64: 64) alive; streaming keeps an 8 MiB
    // upload part and a few chunks.
    expect(peak / MiB).toBeLessThan(40);
  });

  test("a recording over the limit is a 413 and leaves nothing in S3; so is a bad signature", async ({
    gw,
    s3,
    bucket,
  }) => {
    // Same database, keys and bucket, a smaller recording limit.
    const { request } = gw.appWith({ webhookLimits: { jsonBytes: 64 * 1024, audioBytes: 9 * MiB } });
    await integrate(request);
    // Past the limit after a whole 8 MiB part went up: the multipart upload is aborted.
    const big = await sendAudio(request, { conversationId: "conv_long", audioBytes: 10 * MiB, t: now(gw) });
    expect(big.status).toBe(413);
    expect((await json(big)).error.code).toBe("PAYLOAD_TOO_LARGE");
    // Under the limit but signed with another secret: uploaded while reading, then removed.
    const t = now(gw);
    const body = () =>
      audioWebhookStream({ agentId: "a", conversationId: "conv_forged", audioBytes: MiB, eventTimestamp: t });
    const forged = await request("/api/v1/webhooks/elevenlabs/acc_a", {
      method: "POST",
      account: null,
      headers: { "elevenlabs-signature": await signWebhookStream("wsec_someone_else_entirely", body(), t) },
      body: pulled(body()),
      duplex: "half",
    } as RequestInit);
    expect(forged.status).toBe(401);
    expect(await objects(s3, bucket)).toEqual([]);
    expect(gw.published).toEqual([]);
  });
});
