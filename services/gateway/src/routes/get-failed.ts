import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import type { Operation } from "../openapi/operation.ts";
import { intParam, parseQuery } from "../query-params.ts";
import { isoOrNull, sqlOn } from "../sql.ts";

const query = z.object({ hours: intParam(1, 168, 24).describe("The window, in hours back from now.") });

const failedJobs = z.object({
  hours: z.int(),
  jobs: z.array(
    z.object({
      processing_id: z.string(),
      conversation_id: z.string(),
      error_code: z.string().nullable(),
      error_message: z.string().nullable(),
      created_at: z.iso.datetime().nullable(),
      processing_started_at: z.iso.datetime().nullable(),
    }),
  ),
});

/** The OpenAPI description of `GET /api/v1/postprocess/failed`. */
export const getFailedOperation: Operation = {
  method: "get",
  path: "/api/v1/postprocess/failed",
  operationId: "listFailed",
  summary: "The account's failed jobs of the last hours, newest first",
  description: "At most 1000 jobs.",
  tags: ["Jobs"],
  query,
  responses: { 200: { description: "The failed jobs.", schema: failedJobs } },
  errors: [],
};

// A bound on one answer: a failure storm must not turn this endpoint into a multi-megabyte response.
const MAX_ROWS = 1000;

interface FailedRow {
  processing_id: string;
  conversation_id: string;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  processing_started_at: string | null;
}

/** `GET /api/v1/postprocess/failed?hours=24`: the account's failed jobs of the last `hours`, newest first. */
export function registerGetFailed(app: Hono<AppEnv>): void {
  app.get(getFailedOperation.path, async (c) => {
    const { hours } = parseQuery(c, query);
    const since = new Date(c.var.deps.now().getTime() - hours * 3_600_000);
    const rows = await sqlOn(c.var.em)<FailedRow>(
      `SELECT processing_id, conversation_id, error_code, error_message, created_at, processing_started_at
         FROM conversation_processing
        WHERE account_id = ? AND status = 'failed' AND created_at >= ?
        ORDER BY created_at DESC, processing_id DESC
        LIMIT ?`,
      [c.var.accountId, since, MAX_ROWS],
    );
    const body: z.output<typeof failedJobs> = {
      hours,
      jobs: rows.map((r) => ({
        processing_id: r.processing_id,
        conversation_id: r.conversation_id,
        error_code: r.error_code,
        error_message: r.error_message,
        created_at: isoOrNull(r.created_at),
        processing_started_at: isoOrNull(r.processing_started_at),
      })),
    };
    return c.json(body, 200);
  });
}
