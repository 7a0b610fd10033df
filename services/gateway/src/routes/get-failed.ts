import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { intParam, parseQuery } from "../query-params.ts";
import { isoOrNull, sqlOn } from "../sql.ts";

const query = z.object({ hours: intParam(1, 168, 24) });

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
  app.get("/api/v1/postprocess/failed", async (c) => {
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
    return c.json(
      {
        hours,
        jobs: rows.map((r) => ({
          processing_id: r.processing_id,
          conversation_id: r.conversation_id,
          error_code: r.error_code,
          error_message: r.error_message,
          created_at: isoOrNull(r.created_at),
          processing_started_at: isoOrNull(r.processing_started_at),
        })),
      },
      200,
    );
  });
}
