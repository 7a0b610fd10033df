import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { recordUsage } from "../api-keys/usage.ts";
import type { AppEnv } from "../deps.ts";
import { sqlOn } from "../sql.ts";

/**
 * Records every authenticated request in `api_usage_metrics` once it has been answered — successes, errors
 * and 429s alike (it sits outside the rate limiter for that). Awaited before the response leaves, so the
 * counts are exact when a client reads them; a failure to record is logged, never turned into the client's
 * error.
 */
export const recordApiUsage = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const key = c.var.apiKey;
  if (!key) return;
  try {
    await recordUsage(sqlOn(c.var.deps.orm.em.fork()), {
      accountId: key.accountId,
      keyHash: key.keyHash,
      // The last matched route is the endpoint (the middleware patterns come first).
      endpoint: `${c.req.method} ${routePath(c, -1)}`,
      status: c.res.status,
      at: c.var.deps.now(),
      rateLimitResetAt: c.var.rateLimitResetAt,
    });
  } catch (err) {
    c.var.deps.log.error({ requestId: c.var.requestId, err }, "could not record API usage");
  }
});
