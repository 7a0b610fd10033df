import { newEventId } from "@postprocess/contracts";
import { isTerminalStatus } from "@postprocess/db";
import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { findJob } from "../find-job.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { Operation } from "../openapi/operation.ts";
import { jobParams, parseParams } from "../path-params.ts";
import { parseOrThrow } from "../validation.ts";

const cancelRequest = z
  .strictObject({
    reason: z.string().min(1).max(1000).optional().describe("Why; kept in the job's audit log."),
  })
  .optional();

const cancelAccepted = z.object({
  processing_id: z.string(),
  status: z.literal("cancel_requested"),
});

/** The OpenAPI description of `POST /api/v1/postprocess/:processing_id/cancel`. */
export const postCancelOperation: Operation = {
  method: "post",
  path: "/api/v1/postprocess/:processing_id/cancel",
  operationId: "cancelJob",
  summary: "Ask the pipeline to stop a job",
  description:
    "Asynchronous: the status shows `cancelled` once the pipeline acted (a step already running may finish, " +
    "its output is ignored). A job accepted but not yet picked up can be cancelled too.",
  tags: ["Jobs"],
  params: jobParams,
  body: { schema: cancelRequest, optional: true },
  responses: { 202: { description: "The cancellation is queued.", schema: cancelAccepted } },
  errors: ["INVALID_ID", "NOT_FOUND", "JOB_FINISHED"],
};

/**
 * `POST /api/v1/postprocess/:processing_id/cancel`: asks the pipeline to stop a job. Asynchronous (202):
 * workers and the projector act on `processing.cancel-requested`; the status endpoint shows `cancelled`
 * once they did. A job accepted but not yet projected can be cancelled too.
 */
export function registerPostCancel(app: Hono<AppEnv>): void {
  app.post(postCancelOperation.path, jsonBody({ optional: true }), async (c) => {
    const { processing_id: id } = parseParams(c, jobParams);
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
    const accepted: z.output<typeof cancelAccepted> = { processing_id: id, status: "cancel_requested" };
    return c.json(accepted, 202);
  });
}
