import { createHmac } from "node:crypto";
import { Readable } from "node:stream";
import { fakeMp3Stream } from "./audio.ts";
import type { WireConversation } from "./wire.ts";

/**
 * ElevenLabs post-call webhooks as ElevenLabs sends them (shared/docs/external-apis.md §4): the three
 * envelopes, the `ElevenLabs-Signature` header, and a sender. The audio webhook is built as a stream (the
 * base64 of a generated MP3), so a test can send hundreds of megabytes without holding them.
 */

/** Now, in the unix seconds ElevenLabs signs with. */
export const unixNow = (): number => Math.floor(Date.now() / 1000);

/** `t=<t>,v0=<hex HMAC-SHA256(secret, "<t>.<body>")>`, exactly as ElevenLabs signs. */
export function signWebhook(secret: string, body: string | Uint8Array, t: number = unixNow()): string {
  const mac = createHmac("sha256", secret).update(`${t}.`).update(body);
  return `t=${t},v0=${mac.digest("hex")}`;
}

/** The same signature over a streamed body (read once to sign; build a fresh stream to send). */
export async function signWebhookStream(
  secret: string,
  body: AsyncIterable<Uint8Array>,
  t: number = unixNow(),
): Promise<string> {
  const mac = createHmac("sha256", secret).update(`${t}.`);
  for await (const chunk of body) mac.update(chunk);
  return `t=${t},v0=${mac.digest("hex")}`;
}

/** A `post_call_transcription` webhook: `data` is the conversation as GET returns it. */
export function transcriptionWebhook(conversation: WireConversation, eventTimestamp = unixNow()) {
  return { type: "post_call_transcription", event_timestamp: eventTimestamp, data: conversation };
}

/** A `call_initiation_failure` webhook (SIP flavour). */
export function initiationFailureWebhook(
  ids: { agentId: string; conversationId: string },
  failureReason: "busy" | "no-answer" | "unknown" = "busy",
  eventTimestamp = unixNow(),
) {
  return {
    type: "call_initiation_failure",
    event_timestamp: eventTimestamp,
    data: {
      agent_id: ids.agentId,
      conversation_id: ids.conversationId,
      failure_reason: failureReason,
      metadata: {
        type: "sip",
        body: {
          sip_status_code: 486,
          error_reason: "INVITE failed: sip status: 486: Busy here (SIP 486)",
          call_sid: "d8e7f0c0ffee",
          sip_status: "Busy here",
          twirp_code: "unavailable",
        },
      },
    },
  };
}

/**
 * A `post_call_audio` webhook body as a stream: `full_audio` is the base64 of `fakeMp3(audioBytes)`,
 * encoded on the fly. `audioFirst` puts `full_audio` before `conversation_id` (field order is not promised).
 */
export function audioWebhookStream(opts: {
  agentId: string;
  conversationId: string;
  audioBytes: number;
  eventTimestamp?: number;
  audioFirst?: boolean;
}): Readable {
  const ids = `"agent_id":${JSON.stringify(opts.agentId)},"conversation_id":${JSON.stringify(opts.conversationId)}`;
  const head = `{"type":"post_call_audio","event_timestamp":${opts.eventTimestamp ?? unixNow()},"data":{`;
  const open = opts.audioFirst ? `${head}"full_audio":"` : `${head}${ids},"full_audio":"`;
  const close = opts.audioFirst ? `",${ids}}}` : `"}}`;
  return Readable.from(
    (async function* () {
      yield Buffer.from(open);
      yield* base64Chunks(fakeMp3Stream(opts.audioBytes));
      yield Buffer.from(close);
    })(),
    { objectMode: false },
  );
}

/** The base64 text of a byte stream, chunk by chunk (a remainder of < 3 bytes waits for the next chunk). */
async function* base64Chunks(bytes: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0);
  for await (const chunk of bytes) {
    const all = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const whole = all.length - (all.length % 3);
    if (whole > 0) yield Buffer.from(all.subarray(0, whole).toString("base64"));
    carry = Buffer.from(all.subarray(whole));
  }
  if (carry.length) yield Buffer.from(carry.toString("base64"));
}

/**
 * POSTs a signed webhook to `url` the way ElevenLabs delivers it: JSON (or a stream, sent chunked) with
 * `ElevenLabs-Signature`. A stream body must be built by `body()` twice: once to sign, once to send.
 */
export async function sendWebhook(
  url: string,
  secret: string,
  body: object | (() => Readable),
  t: number = unixNow(),
): Promise<Response> {
  if (typeof body === "function") {
    const signature = await signWebhookStream(secret, body(), t);
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "elevenlabs-signature": signature },
      // Pulled as the receiver reads (Readable.toWeb would read ahead of a slow receiver).
      body: ReadableStream.from(body() as AsyncIterable<Uint8Array>),
      duplex: "half",
    } as RequestInit);
  }
  const raw = JSON.stringify(body);
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "elevenlabs-signature": signWebhook(secret, raw, t) },
    body: raw,
  });
}
