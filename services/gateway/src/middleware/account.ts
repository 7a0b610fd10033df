import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { sqlOn } from "../sql.ts";

// The shape `accounts.id` allows (its CHECK); anything else cannot be an account, so no query is needed.
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Identifies the caller by `X-Account-Id`. Temporary: API keys replace it in a later issue, which is why an
 * unknown account gets the same 401 as a missing header (nothing to learn by probing ids).
 */
export const requireAccount = createMiddleware<AppEnv>(async (c, next) => {
  const accountId = c.req.header("x-account-id");
  if (!accountId) throw new ApiError("UNAUTHENTICATED", "missing X-Account-Id header");
  const known =
    ACCOUNT_ID.test(accountId) &&
    (await sqlOn(c.var.em)("SELECT 1 FROM accounts WHERE id = ?", [accountId])).length > 0;
  if (!known) throw new ApiError("UNAUTHENTICATED", "unknown account");
  c.set("accountId", accountId);
  await next();
});
