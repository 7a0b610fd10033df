import { statement } from "@postprocess/db";
import type { Sql } from "../sql.ts";

/** A decision of the limiter, with what the RateLimit headers and Retry-After say. */
export type RateDecision =
  | { allowed: true; limit: number; remaining: number; resetSecs: number }
  | { allowed: false; limit: number; retryAfterSecs: number };

// Prepared: every request runs it.
const takeTokenSql = statement(
  `WITH p AS (
       SELECT clock_timestamp() AS now, make_interval(secs => ?) AS t, make_interval(secs => ?) AS tau
     ), taken AS (
       INSERT INTO api_rate_limits AS r (api_key_id, tat)
       SELECT ?, p.now + p.t FROM p
       ON CONFLICT (api_key_id) DO UPDATE
          SET tat = GREATEST(r.tat, (SELECT now FROM p)) + (SELECT t FROM p)
        WHERE GREATEST(r.tat, (SELECT now FROM p)) - (SELECT tau FROM p) <= (SELECT now FROM p)
       RETURNING r.tat
     )
     SELECT extract(epoch FROM (SELECT tat FROM taken))::float8 AS allowed_tat,
            extract(epoch FROM (SELECT tat FROM api_rate_limits WHERE api_key_id = ?))::float8 AS prior_tat,
            extract(epoch FROM (SELECT now FROM p))::float8 AS now`,
);

/**
 * GCRA (the generic cell rate algorithm) per API key, its state in PostgreSQL so every gateway replica
 * draws from the same allowance. The state is one timestamp per key (the "theoretical arrival time"); one
 * statement reads and advances it under the row lock, so concurrent requests on several replicas cannot both
 * take the last slot. A key may send `burst` requests at once, then `perMinute` a minute, smoothly — no
 * window edges to game. The database clock is used, not the replicas': their clocks may differ.
 */
export async function takeToken(
  sql: Sql,
  keyId: string,
  limit: { perMinute: number; burst: number },
): Promise<RateDecision> {
  const emissionSecs = 60 / limit.perMinute;
  const toleranceSecs = emissionSecs * (limit.burst - 1);
  // Instants come back as epoch seconds (float8): no timestamp text to parse.
  const [row] = await sql<{ allowed_tat: number | null; prior_tat: number | null; now: number }>(
    takeTokenSql,
    [emissionSecs, toleranceSecs, keyId, keyId],
  );
  const { now, allowed_tat, prior_tat } = row!;
  if (allowed_tat !== null) {
    // After this request the key may send floor((tau - (tat - now)) / t) + 1 more at once.
    const ahead = allowed_tat - now;
    const remaining = Math.max(0, Math.floor((toleranceSecs - ahead) / emissionSecs + 1e-9) + 1);
    return {
      allowed: true,
      limit: limit.burst,
      remaining: Math.min(remaining, limit.burst),
      resetSecs: Math.max(0, Math.ceil(ahead)),
    };
  }
  // Refused: the next request fits once tat - tau has passed.
  const waitSecs = (prior_tat ?? now) - toleranceSecs - now;
  return { allowed: false, limit: limit.burst, retryAfterSecs: Math.max(1, Math.ceil(waitSecs)) };
}
