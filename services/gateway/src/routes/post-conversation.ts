import { jobStatuses } from "@postprocess/contracts";
import type { Hono } from "hono";
import { z } from "zod";
import { conversationRequest } from "../conversation-request.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { idempotencyKeyPattern, isValidIdempotencyKey } from "../idempotency.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { Operation } from "../openapi/operation.ts";
import { submitConversation } from "../submit-conversation.ts";
import { statusUrl } from "../urls.ts";
import { parseOrThrow } from "../validation.ts";

const accepted = z.object({
  processing_id: z.string(),
  status: z.literal("pending"),
  status_url: z.url().describe("Where to poll the job (also in the Location header)."),
});

const existing = z.object({
  processing_id: z.string(),
  status: z.enum(jobStatuses),
  status_url: z.url(),
  existing: z.literal(true),
});

/** The OpenAPI description of `POST /api/v1/postprocess/conversation`. */
export const postConversationOperation: Operation = {
  method: "post",
  path: "/api/v1/postprocess/conversation",
  operationId: "submitConversation",
  summary: "Submit a finished conversation for processing",
  description:
    "The job runs with the account's settings as they are now (see PATCH /api/v1/settings); later changes " +
    "do not affect it. `source.kind` `elevenlabs` fetches the conversation from ElevenLabs; `inline` " +
    "carries the transcript.",
  tags: ["Jobs"],
  headers: z.object({
    "Idempotency-Key": z
      .string()
      .regex(idempotencyKeyPattern)
      .optional()
      .describe("Retrying with the same key and body replays the first answer; another body is a 409."),
  }),
  body: { schema: conversationRequest },
  responses: {
    202: {
      description: "Accepted: a new job (or the replay of a keyed submission).",
      schema: accepted,
      headers: {
        Location: "The status URL.",
        "Idempotent-Replayed": "`true` when this answers a replayed Idempotency-Key.",
      },
    },
    200: { description: "The conversation already has an active job: that one.", schema: existing },
  },
  errors: ["INVALID_IDEMPOTENCY_KEY", "IDEMPOTENCY_KEY_REUSED"],
};

/**
 * `POST /api/v1/postprocess/conversation`: accepts a finished conversation for processing.
 * 202 for a new job; 202 + `Idempotent-Replayed: true` for a replayed key; 200 + `existing: true` when the
 * conversation already has an active job.
 */
export function registerPostConversation(app: Hono<AppEnv>): void {
  app.post(postConversationOperation.path, jsonBody(), async (c) => {
    const key = c.req.header("idempotency-key");
    if (key !== undefined && !isValidIdempotencyKey(key)) {
      throw new ApiError(
        "INVALID_IDEMPOTENCY_KEY",
        "Idempotency-Key must be 1 to 255 printable ASCII characters",
        {
          details: [{ path: "Idempotency-Key", message: "1 to 255 printable ASCII characters" }],
        },
      );
    }
    const request = parseOrThrow(
      conversationRequest,
      c.var.body,
      "VALIDATION_FAILED",
      "request body is invalid",
    );
    const { deps, em, accountId } = c.var;
    const outcome = await submitConversation(em, deps, { accountId, request, idempotencyKey: key });
    const url = statusUrl(deps.publicBaseUrl, outcome.processingId);

    if (outcome.kind === "existing") {
      const body: z.output<typeof existing> = {
        processing_id: outcome.processingId,
        status: outcome.status,
        status_url: url,
        existing: true,
      };
      return c.json(body, 200);
    }
    if (outcome.kind === "replayed") c.header("Idempotent-Replayed", "true");
    else
      deps.log.info(
        { requestId: c.var.requestId, processingId: outcome.processingId, accountId },
        "accepted",
      );
    c.header("Location", url);
    const body: z.output<typeof accepted> = {
      processing_id: outcome.processingId,
      status: "pending",
      status_url: url,
    };
    return c.json(body, 202);
  });
}
