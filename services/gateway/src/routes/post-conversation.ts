import type { Hono } from "hono";
import { conversationRequest } from "../conversation-request.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { isValidIdempotencyKey } from "../idempotency.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { submitConversation } from "../submit-conversation.ts";
import { statusUrl } from "../urls.ts";
import { parseOrThrow } from "../validation.ts";

/**
 * `POST /api/v1/postprocess/conversation`: accepts a finished conversation for processing.
 * 202 for a new job; 202 + `Idempotent-Replayed: true` for a replayed key; 200 + `existing: true` when the
 * conversation already has an active job.
 */
export function registerPostConversation(app: Hono<AppEnv>): void {
  app.post("/api/v1/postprocess/conversation", jsonBody(), async (c) => {
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
      return c.json(
        { processing_id: outcome.processingId, status: outcome.status, status_url: url, existing: true },
        200,
      );
    }
    if (outcome.kind === "replayed") c.header("Idempotent-Replayed", "true");
    else
      deps.log.info(
        { requestId: c.var.requestId, processingId: outcome.processingId, accountId },
        "accepted",
      );
    c.header("Location", url);
    return c.json({ processing_id: outcome.processingId, status: "pending" as const, status_url: url }, 202);
  });
}
