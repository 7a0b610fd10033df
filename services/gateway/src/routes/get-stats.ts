import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import type { Operation } from "../openapi/operation.ts";
import { intParam, parseQuery } from "../query-params.ts";
import { isoOrNull, sqlOn } from "../sql.ts";

const query = z.object({ days: intParam(1, 90, 7).describe("The window, in days back from now.") });

const stats = z.object({
  days: z.int(),
  stats: z.array(
    z.object({
      status: z.string(),
      job_count: z.int(),
      avg_duration_seconds: z.number().nullable(),
      earliest_job: z.iso.datetime().nullable(),
      latest_job: z.iso.datetime().nullable(),
    }),
  ),
});

/** The OpenAPI description of `GET /api/v1/postprocess/stats`. */
export const getStatsOperation: Operation = {
  method: "get",
  path: "/api/v1/postprocess/stats",
  operationId: "getStats",
  summary: "Job counts and average durations by status",
  description:
    "Over the account's jobs created in the window; the average covers jobs with a start and an end.",
  tags: ["Jobs"],
  query,
  responses: { 200: { description: "Statistics by status.", schema: stats } },
  errors: [],
};

interface StatsRow {
  status: string;
  job_count: number;
  avg_duration_seconds: number | null;
  earliest_job: string;
  latest_job: string;
}

/**
 * `GET /api/v1/postprocess/stats?days=7`: the design document's statistics by status over the account's
 * projected jobs of the last `days`. The average covers jobs that have both a start and an end.
 */
export function registerGetStats(app: Hono<AppEnv>): void {
  app.get(getStatsOperation.path, async (c) => {
    const { days } = parseQuery(c, query);
    const since = new Date(c.var.deps.now().getTime() - days * 86_400_000);
    const rows = await sqlOn(c.var.em)<StatsRow>(
      `SELECT status,
              COUNT(*)::int AS job_count,
              AVG(EXTRACT(EPOCH FROM (processing_completed_at - processing_started_at)))::float8 AS avg_duration_seconds,
              MIN(created_at) AS earliest_job,
              MAX(created_at) AS latest_job
         FROM conversation_processing
        WHERE account_id = ? AND created_at >= ?
        GROUP BY status
        ORDER BY job_count DESC, status`,
      [c.var.accountId, since],
    );
    const body: z.output<typeof stats> = {
      days,
      stats: rows.map((r) => ({
        status: r.status,
        job_count: r.job_count,
        avg_duration_seconds: r.avg_duration_seconds,
        earliest_job: isoOrNull(r.earliest_job),
        latest_job: isoOrNull(r.latest_job),
      })),
    };
    return c.json(body, 200);
  });
}
