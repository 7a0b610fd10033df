import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../deps.ts";

/**
 * CORS for browser clients on the listed origins only (`CORS_ORIGINS`; the app installs nothing when the
 * list is empty). A request from any other origin, or with none, gets no CORS header at all: its preflight
 * falls through to the routes (a 401 or 404) and the browser refuses it. Keys travel in the Authorization
 * header, never in cookies, so credentials are not allowed.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(origins);
  const handler = cors({
    origin: [...allowed],
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "X-API-Key"],
    exposeHeaders: [
      "X-Request-Id",
      "Location",
      "Idempotent-Replayed",
      "Retry-After",
      "RateLimit-Limit",
      "RateLimit-Remaining",
      "RateLimit-Reset",
    ],
    maxAge: 600,
  });
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && allowed.has(origin)) return handler(c, next);
    await next();
    // The answer depends on the Origin header: a shared cache must not hand this one to a listed origin.
    c.header("Vary", "Origin", { append: true });
  };
}
