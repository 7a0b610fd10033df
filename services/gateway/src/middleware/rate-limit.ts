import { createMiddleware } from "hono/factory";
import { takeToken } from "../api-keys/rate-limit.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { sqlOn } from "../sql.ts";

/**
 * Spends one token of the caller's key (after `requireApiKey`). Over the limit: 429 with `Retry-After`
 * (whole seconds), before the route does any work. Allowed requests carry the IETF draft `RateLimit-*`
 * headers so well-behaved clients can pace themselves.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.var.apiKey;
  const decision = await takeToken(sqlOn(c.var.em), key.keyId, {
    perMinute: key.ratePerMinute,
    burst: key.burst,
  });
  c.header("RateLimit-Limit", String(decision.limit));
  if (!decision.allowed) {
    c.header("Retry-After", String(decision.retryAfterSecs));
    c.header("RateLimit-Remaining", "0");
    c.header("RateLimit-Reset", String(decision.retryAfterSecs));
    c.set("rateLimitResetAt", new Date(c.var.deps.now().getTime() + decision.retryAfterSecs * 1000));
    throw new ApiError(
      "RATE_LIMITED",
      `rate limit exceeded (${key.ratePerMinute}/min, burst ${key.burst}); retry after ${decision.retryAfterSecs} s`,
    );
  }
  c.header("RateLimit-Remaining", String(decision.remaining));
  c.header("RateLimit-Reset", String(decision.resetSecs));
  await next();
});
