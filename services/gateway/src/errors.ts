import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code the API answers with: a closed set clients can switch on. */
export const errorCodes = [
  "MALFORMED_JSON",
  "VALIDATION_FAILED",
  "INVALID_QUERY",
  "INVALID_ID",
  "INVALID_IDEMPOTENCY_KEY",
  "UNSUPPORTED_MEDIA_TYPE",
  "PAYLOAD_TOO_LARGE",
  "UNAUTHENTICATED",
  "INVALID_SIGNATURE",
  "FORBIDDEN",
  "NOT_FOUND",
  "NOT_CONFIGURED",
  "IDEMPOTENCY_KEY_REUSED",
  "ALREADY_EXISTS",
  "JOB_FINISHED",
  "RATE_LIMITED",
  "UNAVAILABLE",
  "INTERNAL",
] as const;

/** One machine-readable error code. */
export type ErrorCode = (typeof errorCodes)[number];

/** One problem with the request, e.g. a body field that failed validation. */
export interface ErrorDetail {
  /** Dotted path of the offending field (`source.transcript.0.role`), or a header/query name. */
  path: string;
  message: string;
}

/** The HTTP status of each code, in one exhaustive switch: adding a code without a status fails to compile. */
export function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case "MALFORMED_JSON":
    case "INVALID_QUERY":
    case "INVALID_ID":
    case "INVALID_IDEMPOTENCY_KEY":
      return 400;
    case "UNAUTHENTICATED":
    case "INVALID_SIGNATURE":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "NOT_FOUND":
    case "NOT_CONFIGURED":
      return 404;
    case "IDEMPOTENCY_KEY_REUSED":
    case "ALREADY_EXISTS":
    case "JOB_FINISHED":
      return 409;
    case "PAYLOAD_TOO_LARGE":
      return 413;
    case "UNSUPPORTED_MEDIA_TYPE":
      return 415;
    case "VALIDATION_FAILED":
      return 422;
    case "RATE_LIMITED":
      return 429;
    case "INTERNAL":
      return 500;
    case "UNAVAILABLE":
      return 503;
    default:
      return code satisfies never;
  }
}

/**
 * An error the API reports as is: its code, message and details reach the client. Anything else thrown
 * becomes a generic INTERNAL, so no driver message or stack trace ever leaks.
 */
export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message: string, opts: { details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.details = opts.details;
  }
}

/** The one JSON error shape of the API. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[]; requestId: string };
}
