import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";

// `application/json`, optionally with `charset=utf-8` (the only charset JSON has, RFC 8259).
const JSON_TYPE = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

/**
 * Reads the body as JSON into `c.var.body`. Only `application/json` is accepted (415 otherwise): a
 * form post or `text/plain` is refused instead of guessed at. With `optional`, an empty body is allowed
 * (and needs no Content-Type); `body` is then undefined. Runs after the body limit, so it never reads
 * more than the limit.
 */
export function jsonBody(opts: { optional?: boolean } = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const type = c.req.header("content-type");
    if (type !== undefined && !JSON_TYPE.test(type.trim())) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
    }
    const text = await c.req.text();
    if (text.trim() === "" && opts.optional) {
      c.set("body", undefined);
      return next();
    }
    if (type === undefined)
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
    try {
      c.set("body", JSON.parse(text));
    } catch (cause) {
      throw new ApiError("MALFORMED_JSON", "request body is not valid JSON", { cause });
    }
    await next();
  });
}
