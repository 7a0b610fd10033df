import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../deps.ts";

/**
 * Headers every response carries, errors and 404s included (set after the handler, on whatever it
 * answered): no MIME sniffing of JSON into HTML, no Referer leaking a URL with an id or a presigned
 * signature, and API answers (tenant data, presigned links) never stored by a browser or proxy cache.
 */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  if (c.req.path.startsWith("/api/")) c.header("Cache-Control", "no-store");
});
