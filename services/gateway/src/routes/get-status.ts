import type { Hono } from "hono";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { findJob, jobView } from "../find-job.ts";
import type { Operation } from "../openapi/operation.ts";
import { jobParams, parseParams } from "../path-params.ts";

/** The OpenAPI description of `GET /api/v1/postprocess/status/:processing_id`. */
export const getStatusOperation: Operation = {
  method: "get",
  path: "/api/v1/postprocess/status/:processing_id",
  operationId: "getStatus",
  summary: "A job's status, progress, artifacts, summary and settings",
  description:
    "A job accepted but not yet picked up is `pending` at 0 % (never a 404 right after the 202). Another " +
    "account's job is a 404, exactly like an unknown one.",
  tags: ["Jobs"],
  params: jobParams,
  responses: { 200: { description: "The job.", schema: jobView } },
  errors: ["INVALID_ID", "NOT_FOUND"],
};

/** `GET /api/v1/postprocess/status/:processing_id`: one job's status, progress, artifacts and summary. */
export function registerGetStatus(app: Hono<AppEnv>): void {
  app.get(getStatusOperation.path, async (c) => {
    const { processing_id: id } = parseParams(c, jobParams);
    const job = await findJob(c.var.em, c.var.accountId, id);
    if (!job) throw new ApiError("NOT_FOUND", `no job ${id}`);
    return c.json(job, 200);
  });
}
