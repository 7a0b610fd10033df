import { z } from "zod";
import { type ErrorCode, errorCodes } from "../errors.ts";

/** The one error body of the API, as a schema: `components.schemas.Error` of the OpenAPI document. */
export const errorBody = z.object({
  error: z.object({
    code: z.enum(errorCodes).describe("Machine-readable; the HTTP status follows from it."),
    message: z.string().describe("For people; may change between versions."),
    details: z
      .array(
        z.object({
          path: z.string().describe("The offending field (dotted path), header or query parameter."),
          message: z.string(),
        }),
      )
      .optional(),
    requestId: z.string().describe("Also in the X-Request-Id header: quote it when reporting a problem."),
  }),
});

/** What each error code means, for the error responses of the document. */
export const errorMeanings: Record<ErrorCode, string> = {
  MALFORMED_JSON: "the body is not valid JSON",
  VALIDATION_FAILED: "the body fails validation; `details` lists every problem by path",
  INVALID_QUERY: "a query parameter is invalid",
  INVALID_ID: "a path parameter is malformed",
  INVALID_IDEMPOTENCY_KEY: "the Idempotency-Key header is malformed",
  UNSUPPORTED_MEDIA_TYPE: "the body is not application/json",
  PAYLOAD_TOO_LARGE: "the body exceeds the size limit",
  UNAUTHENTICATED: "missing, unknown or revoked API key",
  INVALID_SIGNATURE: "the request signature does not verify",
  FORBIDDEN: "the key may not do this",
  NOT_FOUND: "no such resource in the caller's account",
  NOT_CONFIGURED: "the feature is not configured for the account",
  IDEMPOTENCY_KEY_REUSED: "the Idempotency-Key was used with another body",
  ALREADY_EXISTS: "the resource already exists",
  JOB_FINISHED: "the job has already finished",
  RATE_LIMITED: "too many requests; retry after the Retry-After header's seconds",
  UNAVAILABLE: "a dependency is unavailable; nothing was done, retry later",
  INTERNAL: "an unexpected error; quote the requestId",
};
