import { randomBytes, randomUUID } from "node:crypto";
import { ensureBucket } from "@postprocess/worker";
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import type { Operation } from "../openapi/operation.ts";
import { sqlOn } from "../sql.ts";
import { parseOrThrow } from "../validation.ts";
import { acceptAudio, discardStaged } from "../webhooks/handle-audio.ts";
import { acceptTranscription, transcriptionRequest } from "../webhooks/handle-transcription.ts";
import { type WebhookIntegration, webhookIntegration } from "../webhooks/integration-store.ts";
import {
  audioWebhook,
  initiationFailureWebhook,
  isKnownType,
  transcriptionWebhook,
  webhookEnvelope,
} from "../webhooks/payloads.ts";
import {
  rawLimitBytes,
  readWebhookBody,
  type StagedAudio,
  type WebhookBody,
} from "../webhooks/read-webhook-body.ts";
import { recordFirstReceipt } from "../webhooks/receipts.ts";
import {
  checkSignatureAge,
  createSignatureVerifier,
  parseSignatureHeader,
  signatureError,
} from "../webhooks/signature.ts";

// The shape `accounts.id` allows; anything else cannot be an account.
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const INVALID = "the webhook body is invalid";
const PATH = "/api/v1/webhooks/elevenlabs/:account";

/** The OpenAPI description of the webhook receiver. */
export const postElevenLabsWebhookOperation: Operation = {
  method: "post",
  path: PATH,
  operationId: "receiveElevenLabsWebhook",
  summary: "ElevenLabs post-call webhooks (for ElevenLabs, not for API clients)",
  description:
    "Set as the agent's post-call webhook URL (GET /api/v1/integrations/elevenlabs shows it). Signed with " +
    "the account's webhook secret (ElevenLabs-Signature, 30-minute tolerance). post_call_transcription " +
    "starts a job with the transcript inline; post_call_audio (base64 MP3, streamed) stores the recording " +
    "for that job, before or after the transcript; call_initiation_failure is recorded. A replay changes " +
    "nothing; a type the gateway does not know is acknowledged and ignored.",
  tags: ["ElevenLabs"],
  security: "none",
  params: z.object({
    account: z.string().describe("The account id, as the integration's webhook_url has it."),
  }),
  headers: z.object({ "elevenlabs-signature": z.string().describe("t=<unix seconds>,v0=<hex HMAC-SHA256>") }),
  body: {
    schema: z.object({
      type: z.string().describe("post_call_transcription, post_call_audio or call_initiation_failure"),
      event_timestamp: z.number().optional(),
      data: z.record(z.string(), z.unknown()),
    }),
  },
  responses: {
    200: {
      description: "Received: what it led to.",
      schema: z.object({
        received: z.literal(true),
        type: z.string(),
        status: z.enum(["accepted", "existing", "duplicate", "recorded", "ignored"]),
        conversation_id: z.string().optional(),
        processing_id: z.string().nullable().optional(),
      }),
    },
  },
  errors: ["INVALID_SIGNATURE"],
};

/**
 * `POST /api/v1/webhooks/elevenlabs/:account`: ElevenLabs' post-call webhooks. Not authenticated by API
 * key: the body proves itself by its `ElevenLabs-Signature` (the account's secret, or the previous one
 * during a rotation), checked over the raw bytes as they stream in. Answers 200 only once what the
 * webhook asks is durable (a job's event acked by Kafka, a recording stored, a receipt committed), so
 * ElevenLabs' retry of a failure (5xx) redoes it and its retry of a success changes nothing.
 *
 * An unknown account, an account without an integration or secret, and a wrong signature all get the same
 * 401 after the same work (the body is read and hashed under a secret nobody has), so a stranger cannot
 * probe which accounts exist or use ElevenLabs. What is wrong with the header itself (missing, malformed,
 * too old) is said plainly: it is checked before the account is looked at, so it reveals nothing.
 */
export function registerPostElevenLabsWebhook(app: Hono<AppEnv>): void {
  const decoy = randomBytes(32).toString("hex");
  let bucketReady: Promise<void> | undefined;

  app.post(PATH, async (c) => {
    const { deps, em } = c.var;
    const limits = deps.webhookLimits;
    const header = parseSignatureHeader(c.req.header("elevenlabs-signature"));
    checkSignatureAge(header, deps.now());
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > rawLimitBytes(limits)) {
      throw new ApiError("PAYLOAD_TOO_LARGE", `the webhook body exceeds ${rawLimitBytes(limits)} bytes`);
    }
    const accountId = c.req.param("account");
    const integration = ACCOUNT_ID.test(accountId)
      ? await webhookIntegration(sqlOn(em), deps.secrets, accountId, deps.log)
      : undefined;
    const verifier = createSignatureVerifier(header, integration?.secrets ?? [decoy]);
    const { client, defaultBucket } = deps.s3;
    if (integration) {
      bucketReady ??= ensureBucket(client, defaultBucket, "").catch((err: unknown) => {
        bucketReady = undefined;
        throw new ApiError("UNAVAILABLE", "object storage is unavailable; retry later", { cause: err });
      });
      await bucketReady;
    }
    const body = await readWebhookBody(c.req.raw.body, {
      verifier,
      limits,
      // Staged under the account's prefix, so its retention and purges cover a leftover too.
      staging: integration
        ? {
            client,
            bucket: defaultBucket,
            key: `${accountId}/elevenlabs-webhook-incoming/${randomUUID()}.mp3`,
          }
        : undefined,
    });
    if (!integration || !verifier.matches()) {
      if (body.audio) await discardStaged(client, body.audio, deps.log);
      // The account is whatever the caller put in the URL: logged short.
      deps.log.warn(
        { requestId: c.var.requestId, accountId: accountId.slice(0, 64) },
        "ElevenLabs webhook refused: bad signature",
      );
      throw signatureError("mismatch");
    }
    // The audio handler takes the staged recording over; any other outcome removes it.
    let staged = body.audio;
    const take = () => {
      const taken = staged;
      staged = undefined;
      return taken;
    };
    try {
      return await handle(c, accountId, integration, body, take);
    } finally {
      if (staged) await discardStaged(client, staged, deps.log);
    }
  });
}

/** Acts on a verified webhook by its type. */
async function handle(
  c: Context<AppEnv>,
  accountId: string,
  integration: WebhookIntegration,
  body: WebhookBody,
  takeAudio: () => StagedAudio | undefined,
): Promise<Response> {
  const { deps, em } = c.var;
  if (body.problem) throw body.problem;
  let json: unknown;
  try {
    json = JSON.parse(body.envelope!.toString("utf8"));
  } catch (cause) {
    throw new ApiError("MALFORMED_JSON", "the webhook body is not valid JSON", { cause });
  }
  const { type } = parseOrThrow(webhookEnvelope, json, "VALIDATION_FAILED", INVALID);
  const log = (status: string, extra: object = {}) =>
    deps.log.info({ requestId: c.var.requestId, accountId, type, status, ...extra }, "ElevenLabs webhook");

  if (!isKnownType(type)) {
    // Acknowledged, not refused: ElevenLabs disables a webhook after repeated failures, and a type added
    // on their side must not cost the account its transcripts. Logged so someone notices the new type.
    deps.log.warn(
      { requestId: c.var.requestId, accountId, type },
      "ElevenLabs webhook of an unknown type ignored",
    );
    return c.json({ received: true, status: "ignored", type }, 200);
  }

  if (type === "post_call_transcription") {
    const payload = parseOrThrow(transcriptionWebhook, json, "VALIDATION_FAILED", INVALID);
    const request = transcriptionRequest(payload, {
      accountId,
      recipientEmail: integration.recipientEmail,
      audioBucket: deps.s3.defaultBucket,
    });
    const outcome = await acceptTranscription(em, deps, { accountId, payload, request });
    const conversationId = payload.data.conversation_id;
    log(outcome.status, { conversationId, processingId: outcome.processingId });
    return c.json(
      {
        received: true,
        type,
        conversation_id: conversationId,
        status: outcome.status,
        processing_id: outcome.processingId,
      },
      200,
    );
  }

  if (type === "post_call_audio") {
    const payload = parseOrThrow(audioWebhook, json, "VALIDATION_FAILED", INVALID);
    const staged = takeAudio();
    if (!staged) {
      throw new ApiError("VALIDATION_FAILED", INVALID, {
        details: [{ path: "data.full_audio", message: "empty" }],
      });
    }
    const outcome = await acceptAudio(em, deps.s3.client, deps.log, { accountId, payload, staged });
    const conversationId = payload.data.conversation_id;
    log(outcome.status, { conversationId, bytes: staged.size, sha256: staged.sha256 });
    return c.json({ received: true, type, conversation_id: conversationId, status: outcome.status }, 200);
  }

  const payload = parseOrThrow(initiationFailureWebhook, json, "VALIDATION_FAILED", INVALID);
  const first = await recordFirstReceipt(sqlOn(em), {
    accountId,
    type,
    conversationId: payload.data.conversation_id,
    agentId: payload.data.agent_id ?? null,
    eventTimestamp: payload.event_timestamp ?? null,
    failureReason: payload.data.failure_reason,
    details: payload.data.metadata ?? null,
  });
  const status = first ? "recorded" : "duplicate";
  log(status, { conversationId: payload.data.conversation_id, failureReason: payload.data.failure_reason });
  return c.json({ received: true, type, conversation_id: payload.data.conversation_id, status }, 200);
}
