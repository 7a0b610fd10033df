import type { z } from "zod";
import type { ErrorCode } from "../errors.ts";

/** One successful (or redirect) response of an operation. */
export interface OperationResponse {
  description: string;
  /** The JSON body; none for a body-less answer (a redirect). */
  schema?: z.ZodType;
  /** Response headers worth knowing: name → what it carries. */
  headers?: Record<string, string>;
}

/**
 * What the OpenAPI document says about one route. Each route file exports the descriptions of its routes,
 * built from the same zod objects the route validates with, and `operations.ts` lists them all.
 */
export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** The path exactly as the route registers it (Hono style: `/status/:processing_id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /**
   * How a caller authenticates: an API key (default), the operator's admin key (`/admin/…`), or nothing
   * (health, docs, signed webhooks).
   */
  security?: "apiKey" | "adminKey" | "none";
  /** Path parameters, one property each. */
  params?: z.ZodObject;
  /** Query parameters, one property each (parsed from strings: coercions document the input type). */
  query?: z.ZodObject;
  /** Request headers the route reads, one property each. */
  headers?: z.ZodObject;
  /** The JSON request body; `optional` when an empty body is accepted. */
  body?: { schema: z.ZodType; optional?: boolean };
  /** Success and redirect responses by status. */
  responses: Record<number, OperationResponse>;
  /**
   * Error codes the route itself answers with. The ones every route of its kind can answer (authentication,
   * rate limit, body parsing, validation, 500, 503) are added by the document builder.
   */
  errors: ErrorCode[];
}
