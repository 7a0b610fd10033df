import type { z } from "zod";
import { ApiError, type ErrorCode, type ErrorDetail } from "./errors.ts";

/**
 * Parses `value` with `schema` or throws an ApiError with `code` whose details list every problem by path.
 * An unknown field is reported at its own path (`source.extra`), not at its parent's, so a client sees
 * exactly which field to drop.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: ErrorCode,
  message: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError(code, message, { details: issuesToDetails(result.error.issues) });
}

/** Zod issues as the API's error details. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: "unknown field" }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join(".") : "(root)";
}
