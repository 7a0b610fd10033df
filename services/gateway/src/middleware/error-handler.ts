import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { isDatabaseUnavailable } from "../database-unavailable.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError, type ErrorBody, statusOf } from "../errors.ts";

/** Renders an ApiError in the one error shape, with the request id a client can quote to support. */
export function errorResponse(c: Context<AppEnv>, err: ApiError): Response {
  const body: ErrorBody = {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
      requestId: c.var.requestId,
    },
  };
  return c.json(body, statusOf(err.code));
}

/**
 * The app's `onError`: an ApiError is answered as is; a database outage is a 503 (retry later); anything
 * else is logged (with the request id, so the log line and the client's report meet) and answered as a
 * generic INTERNAL, never with its message or stack.
 */
export const handleError: ErrorHandler<AppEnv> = (err, c) => {
  const log = c.var.deps.log;
  const requestId = c.var.requestId;
  if (err instanceof ApiError) {
    if (statusOf(err.code) >= 500)
      log.error({ requestId, code: err.code, err: err.cause ?? err }, err.message);
    return errorResponse(c, err);
  }
  if (isDatabaseUnavailable(err)) {
    log.error({ requestId, err, method: c.req.method, path: c.req.path }, "database unavailable");
    return errorResponse(c, new ApiError("UNAVAILABLE", "the database is unavailable; retry later"));
  }
  log.error({ requestId, err, method: c.req.method, path: c.req.path }, "unhandled error");
  return errorResponse(c, new ApiError("INTERNAL", "internal error; quote the requestId when reporting it"));
};

/** The app's `notFound`: unknown routes answer in the error shape too. */
export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, new ApiError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`));
