import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "./deps.ts";
import { parseOrThrow } from "./validation.ts";

/** An integer query parameter in [min, max], `fallback` when absent. Query strings are text; it coerces. */
export function intParam(min: number, max: number, fallback: number) {
  return z.coerce.number().int().min(min).max(max).default(fallback);
}

/** Parses the request's query parameters (unknown ones are ignored) or answers 400 INVALID_QUERY. */
export function parseQuery<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return parseOrThrow(schema, c.req.query(), "INVALID_QUERY", "query parameters are invalid");
}
