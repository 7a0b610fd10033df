import { createMiddleware } from "hono/factory";
import { hashApiKey, looksLikeApiKey } from "../api-keys/key-format.ts";
import { authenticate } from "../api-keys/store.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { sqlOn } from "../sql.ts";

/**
 * Identifies the caller by its API key — `Authorization: Bearer pp_live_…` (or `X-API-Key`) — and scopes the
 * request to the key's account: no route takes an account from the client. Missing, malformed, unknown and
 * revoked keys all get the same 401, so probing teaches nothing. The key is hashed before the lookup and
 * never logged.
 */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const key = presentedKey(c.req.header("authorization"), c.req.header("x-api-key"));
  if (key === undefined) {
    throw new ApiError("UNAUTHENTICATED", "missing API key: send Authorization: Bearer <key>");
  }
  const identity = looksLikeApiKey(key) ? await authenticate(sqlOn(c.var.em), hashApiKey(key)) : undefined;
  if (!identity) throw new ApiError("UNAUTHENTICATED", "invalid or revoked API key");
  c.set("accountId", identity.accountId);
  c.set("apiKeyId", identity.keyId);
  c.set("apiKey", identity);
  await next();
});

function presentedKey(authorization: string | undefined, xApiKey: string | undefined): string | undefined {
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return m ? m[1] : "";
  }
  return xApiKey?.trim();
}
