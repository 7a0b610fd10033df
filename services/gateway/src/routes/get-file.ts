import { fileTypes } from "@postprocess/contracts";
import { presign } from "@postprocess/worker";
import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { findJob } from "../find-job.ts";
import type { Operation } from "../openapi/operation.ts";
import { jobParams, parseParams } from "../path-params.ts";
import { parseQuery } from "../query-params.ts";
import { sqlOn } from "../sql.ts";

const fileParams = jobParams.extend({
  file_type: z.enum(fileTypes).describe("transcript is the JSON transcript; summary the summary JSON."),
});

const fileQuery = z.object({
  redirect: z
    .stringbool()
    .default(true)
    .describe("true (default): a 302 to the link. false: the link as JSON, for clients that store it."),
});

const fileLink = z.object({
  url: z
    .url()
    .describe("A presigned GET URL of the object; anyone holding it can download until it expires."),
  expires_at: z.iso.datetime(),
  file_name: z.string(),
  content_type: z.string(),
});

/** The OpenAPI description of `GET /api/v1/postprocess/:processing_id/files/:file_type`. */
export const getFileOperation: Operation = {
  method: "get",
  path: "/api/v1/postprocess/:processing_id/files/:file_type",
  operationId: "downloadFile",
  summary: "A fresh, short-lived download link of one of a job's files",
  description:
    "Signed now, valid for minutes (DOWNLOAD_URL_EXPIRY_SECONDS, 15 by default), unlike the longer-lived " +
    "links in the email and the status. Another account's job is a 404.",
  tags: ["Jobs"],
  params: fileParams,
  query: fileQuery,
  responses: {
    302: { description: "Redirect to the presigned URL.", headers: { Location: "The presigned URL." } },
    200: { description: "With redirect=false: the presigned URL.", schema: fileLink },
  },
  errors: ["INVALID_ID", "NOT_FOUND"],
};

interface FileRow {
  minio_path: string;
  file_name: string;
  content_type: string | null;
}

/**
 * `GET /api/v1/postprocess/:processing_id/files/:file_type`: presigns the file now, with the gateway's short
 * expiry, from the bucket and key the job's file row records (`minio_path` is `bucket/key`, the bucket
 * the storage step chose: the account's or the default).
 */
export function registerGetFile(app: Hono<AppEnv>): void {
  app.get(getFileOperation.path, async (c) => {
    const { processing_id: id, file_type: fileType } = parseParams(c, fileParams);
    const { redirect } = parseQuery(c, fileQuery);
    const { deps, em, accountId } = c.var;
    if (!(await findJob(em, accountId, id))) throw new ApiError("NOT_FOUND", `no job ${id}`);
    // Two transcripts are stored (JSON and text): the JSON one, as the status's minio_transcript_url.
    const [file] = await sqlOn(em)<FileRow>(
      `SELECT minio_path, file_name, content_type FROM conversation_files
        WHERE processing_id = ? AND account_id = ? AND file_type = ?
        ORDER BY COALESCE(content_type = 'application/json', false) DESC, file_name LIMIT 1`,
      [id, accountId, fileType],
    );
    if (!file) throw new ApiError("NOT_FOUND", `job ${id} has no ${fileType} file`);
    const slash = file.minio_path.indexOf("/");
    const link = await presign(
      deps.s3.client,
      file.minio_path.slice(0, slash),
      file.minio_path.slice(slash + 1),
      deps.now(),
      deps.downloadUrlExpirySeconds,
    );
    deps.log.info(
      { requestId: c.var.requestId, accountId, processingId: id, fileType },
      "download link signed",
    );
    if (redirect) return c.redirect(link.url, 302);
    const body: z.output<typeof fileLink> = {
      url: link.url,
      expires_at: link.expiresAt,
      file_name: file.file_name,
      content_type: file.content_type ?? "application/octet-stream",
    };
    return c.json(body, 200);
  });
}
