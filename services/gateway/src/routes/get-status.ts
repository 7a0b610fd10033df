import { isProcessingId } from "@postprocess/db";
import type { Hono } from "hono";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { findJob } from "../find-job.ts";

/** `GET /api/v1/postprocess/status/:processing_id`: one job's status, progress, artifacts and summary. */
export function registerGetStatus(app: Hono<AppEnv>): void {
  app.get("/api/v1/postprocess/status/:processing_id", async (c) => {
    const id = c.req.param("processing_id");
    if (!isProcessingId(id)) throw new ApiError("INVALID_ID", "processing_id must look like proc_<ULID>");
    const job = await findJob(c.var.em, c.var.accountId, id);
    if (!job) throw new ApiError("NOT_FOUND", `no job ${id}`);
    return c.json(job, 200);
  });
}
