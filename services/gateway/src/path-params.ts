import { processingIdPattern } from "@postprocess/db";
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "./deps.ts";
import { parseOrThrow } from "./validation.ts";

/** A job's id in a path: `proc_` + a ULID. */
export const processingIdParam = z
  .string()
  .regex(processingIdPattern, "must look like proc_<ULID>")
  .describe("The job: proc_ + ULID, as the submission answered.");

/** The path parameters of the routes under `/api/v1/postprocess/:processing_id/…`. */
export const jobParams = z.object({ processing_id: processingIdParam });

/** Parses the request's path parameters or answers 400 INVALID_ID, naming each bad one. */
export function parseParams<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return parseOrThrow(schema, c.req.param(), "INVALID_ID", "path parameters are invalid");
}
