import { timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { hashApiKey } from "../api-keys/key-format.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";

/**
 * Guards `/admin/*`: the caller must present the operator's admin key, whose SHA-256 is the configured
 * ADMIN_KEY_SHA256 (the key itself is never in the configuration). Compared in constant time. Without a
 * configured hash the admin API does not exist (404), so a default deployment exposes nothing.
 */
export function requireAdminKey(adminKeySha256: string | undefined) {
  const expected = adminKeySha256 ? Buffer.from(adminKeySha256, "hex") : undefined;
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!expected) throw new ApiError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`);
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    const presented = m ? Buffer.from(hashApiKey(m[1]!), "hex") : Buffer.alloc(expected.length);
    if (!m || !timingSafeEqual(presented, expected)) {
      throw new ApiError("UNAUTHENTICATED", "missing or wrong admin key");
    }
    await next();
  });
}
