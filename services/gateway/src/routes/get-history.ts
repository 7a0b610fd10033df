import type { Hono } from "hono";
import { z } from "zod";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import type { Operation } from "../openapi/operation.ts";
import { intParam, parseQuery } from "../query-params.ts";
import { isoOrNull, sqlOn } from "../sql.ts";

const query = z.object({
  limit: intParam(1, 100, 50).describe("Jobs per page."),
  cursor: z.string().min(1).optional().describe("The previous page's next_cursor, unchanged."),
});

const historyPage = z.object({
  jobs: z.array(
    z.object({
      processing_id: z.string(),
      conversation_id: z.string(),
      status: z.string(),
      progress: z.int(),
      created_at: z.iso.datetime().nullable(),
      processing_completed_at: z.iso.datetime().nullable(),
      summary_topic: z.string().nullable(),
      files: z.array(
        z.object({ file_type: z.string(), file_name: z.string(), minio_url: z.string().nullable() }),
      ),
    }),
  ),
  next_cursor: z.string().nullable().describe("Null on the last page."),
});

/** The OpenAPI description of `GET /api/v1/postprocess/history`. */
export const getHistoryOperation: Operation = {
  method: "get",
  path: "/api/v1/postprocess/history",
  operationId: "listHistory",
  summary: "The account's jobs, newest first, each with its files",
  description: "Keyset pages: stable while new jobs arrive (no job twice, none skipped).",
  tags: ["Jobs"],
  query,
  responses: { 200: { description: "One page of jobs.", schema: historyPage } },
  errors: [],
};

interface HistoryRow {
  processing_id: string;
  conversation_id: string;
  status: string;
  progress: number;
  created_at: string;
  created_at_key: string;
  processing_completed_at: string | null;
  summary_topic: string | null;
  files: { file_type: string; file_name: string; minio_url: string | null }[];
}

/**
 * `GET /api/v1/postprocess/history?limit=&cursor=`: the account's jobs, newest first, each with its files.
 * The design document's history query, with two changes: files join on `processing_id` (a conversation
 * processed twice has two jobs whose files must not mix) and pages are keyset pages over
 * (created_at, processing_id), stable while new jobs arrive. Accepted jobs not projected yet are listed as
 * pending, as the status endpoint shows them.
 */
export function registerGetHistory(app: Hono<AppEnv>): void {
  app.get(getHistoryOperation.path, async (c) => {
    const { limit, cursor: cursorText } = parseQuery(c, query);
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
    if (cursorText !== undefined && !cursor) {
      throw new ApiError("INVALID_QUERY", "cursor is not valid", {
        details: [{ path: "cursor", message: "pass back a next_cursor unchanged" }],
      });
    }
    const accountId = c.var.accountId;
    const rows = await sqlOn(c.var.em)<HistoryRow>(
      `WITH jobs AS (
         SELECT processing_id, conversation_id, status, progress, created_at, processing_completed_at, summary_topic
           FROM conversation_processing WHERE account_id = ?
         UNION ALL
         SELECT s.processing_id, s.conversation_id, 'pending', 0, s.created_at, NULL, NULL
           FROM gateway_submissions s
          WHERE s.account_id = ?
            AND NOT EXISTS (SELECT 1 FROM conversation_processing cp WHERE cp.processing_id = s.processing_id)
       )
       SELECT j.*,
              to_char(j.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_key,
              COALESCE((
                SELECT json_agg(json_build_object('file_type', f.file_type, 'file_name', f.file_name,
                                                  'minio_url', f.minio_url) ORDER BY f.file_type, f.file_name)
                  FROM conversation_files f WHERE f.processing_id = j.processing_id
              ), '[]'::json) AS files
         FROM jobs j
        WHERE ?::timestamptz IS NULL OR (j.created_at, j.processing_id) < (?::timestamptz, ?)
        ORDER BY j.created_at DESC, j.processing_id DESC
        LIMIT ?`,
      [
        accountId,
        accountId,
        cursor?.createdAt ?? null,
        cursor?.createdAt ?? null,
        cursor?.processingId ?? null,
        limit + 1,
      ],
    );
    // One row more than asked tells whether another page exists without a COUNT.
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const hasMore = rows.length > limit && last !== undefined;
    const body: z.output<typeof historyPage> = {
      jobs: page.map((r) => ({
        processing_id: r.processing_id,
        conversation_id: r.conversation_id,
        status: r.status,
        progress: r.progress,
        created_at: isoOrNull(r.created_at),
        processing_completed_at: isoOrNull(r.processing_completed_at),
        summary_topic: r.summary_topic,
        files: r.files,
      })),
      next_cursor: hasMore
        ? encodeCursor({ createdAt: last.created_at_key, processingId: last.processing_id })
        : null,
    };
    return c.json(body, 200);
  });
}
