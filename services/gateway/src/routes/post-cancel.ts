import { newEventId } from "@postprocess/contracts";
import { isProcessingId, isTerminalStatus } from "@postprocess/db";
import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { findJob } from "../find-job.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { parseOrThrow } from "../validation.ts";

const cancelRequest = z.strictObject({ reason: z.string().min(1).max(1000).optional() }).optional();

/**
 * `POST /api/v1/postprocess/:processing_id/cancel`: asks the pipeline to stop a job. Asynchronous (202):
 * workers and the projector act on `processing.cancel-requested`; the status endpoint shows `cancelled`
 * once they did. A job accepted but not yet projected can be cancelled too.
 */
export function registerPostCancel(app: Hono<AppEnv>): void {
  app.post("/api/v1/postprocess/:processing_id/cancel", jsonBody({ optional: true }), async (c) => {
    const id = c.req.param("processing_id");
    if (!isProcessingId(id)) throw new ApiError("INVALID_ID", "processing_id must look like proc_<ULID>");
    const body = parseOrThrow(cancelRequest, c.var.body, "VALIDATION_FAILED", "request body is invalid");
    const { deps, em, accountId } = c.var;
    const job = await findJob(em, accountId, id);
    if (!job) throw new ApiError("NOT_FOUND", `no job ${id}`);
    if (isTerminalStatus(job.status)) {
      throw new ApiError("JOB_FINISHED", `job ${id} has already finished (${job.status})`);
    }
    const now = deps.now();
    try {
      await deps.publish("cancelRequested", {
        event_id: newEventId(now.getTime()),
        occurred_at: now.toISOString(),
        processing_id: id,
        conversation_id: job.conversation_id,
        account_id: accountId,
        reason: body?.reason ?? null,
      });
    } catch (cause) {
      throw new ApiError("UNAVAILABLE", "the cancellation could not be queued; retry later", { cause });
    }
    deps.log.info({ requestId: c.var.requestId, processingId: id, accountId }, "cancel requested");
    return c.json({ processing_id: id, status: "cancel_requested" as const }, 202);
  });
}
