import { statement } from "@postprocess/db";
import type { Sql } from "../sql.ts";

/** Length of one `api_usage_metrics` window. A minute: fine enough to see a burst, coarse enough to stay small. */
export const USAGE_WINDOW_MS = 60_000;

/** One finished request, as the usage middleware saw it. */
export interface UsageSample {
  accountId: string;
  keyHash: string;
  /** Method and route pattern (`GET /api/v1/postprocess/status/:processing_id`), never the concrete path. */
  endpoint: string;
  status: number;
  at: Date;
  /** When a refused request may retry (429 only). */
  rateLimitResetAt?: Date;
}

// Prepared: every authenticated request runs it.
const recordUsageSql = statement(
  `INSERT INTO api_usage_metrics AS m (account_id, api_key_hash, endpoint, request_count, success_count,
        error_count, rate_limit_exceeded, rate_limit_reset_at, window_start, window_end)
     VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (api_key_hash, endpoint, window_start) DO UPDATE SET
       request_count = m.request_count + 1,
       success_count = m.success_count + EXCLUDED.success_count,
       error_count = m.error_count + EXCLUDED.error_count,
       rate_limit_exceeded = m.rate_limit_exceeded OR EXCLUDED.rate_limit_exceeded,
       rate_limit_reset_at = GREATEST(m.rate_limit_reset_at, EXCLUDED.rate_limit_reset_at)`,
);

/**
 * Counts a request into its key's, endpoint's and window's row. One upsert per request: replicas add to the
 * same row (the unique key is key hash + endpoint + window start), so the counts stay exact under load.
 * A 429 counts as a request and an error, and marks the window as having hit the limit.
 */
export async function recordUsage(sql: Sql, s: UsageSample): Promise<void> {
  const start = new Date(Math.floor(s.at.getTime() / USAGE_WINDOW_MS) * USAGE_WINDOW_MS);
  const end = new Date(start.getTime() + USAGE_WINDOW_MS);
  const success = s.status < 400 ? 1 : 0;
  const limited = s.status === 429;
  await sql(recordUsageSql, [
    s.accountId,
    s.keyHash,
    s.endpoint.slice(0, 100),
    success,
    1 - success,
    limited,
    s.rateLimitResetAt ?? null,
    start,
    end,
  ]);
}
