import { z } from "zod";
import { type ErrorCode, statusOf } from "../errors.ts";
import { errorBody, errorMeanings } from "./error-schema.ts";
import type { Operation } from "./operation.ts";

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as `z.toJSONSchema` writes it. */
export type JsonSchema = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document this service writes (and its tests and docs page read). */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
}

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: { "application/json": { schema: JsonSchema } };
  /** Error responses: the codes this status stands for here. */
  "x-error-codes"?: ErrorCode[];
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: { "application/json": { schema: JsonSchema } } };
  responses: Record<string, OpenApiResponse>;
}

const ERROR_REF = { $ref: "#/components/schemas/Error" };
/** Each operation's `security`; none for API-key routes, which the document's global scheme covers. */
const SECURITY: Record<NonNullable<Operation["security"]>, Record<string, string[]>[] | undefined> = {
  apiKey: undefined,
  adminKey: [{ adminKey: [] }],
  none: [],
};
const REQUEST_ID = { "X-Request-Id": "This request's id (yours, when you sent a well-formed one)." };

/** `/status/:processing_id` (Hono, with an optional `{regex}`) as `/status/{processing_id}` (OpenAPI). */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
}

/** A zod schema as JSON Schema: requests as clients send them (`input`), responses as they get them. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    // A refinement or transform has no JSON Schema: it is documented by the field's description instead.
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
}

/**
 * The error codes any operation of its kind can answer, beyond those its route lists: authentication (and
 * rate limit for API-key routes), parsing and validation where there is a body or a query, and the two
 * server-side outcomes everywhere.
 */
export function implicitErrors(op: Operation): ErrorCode[] {
  const codes: ErrorCode[] = ["INTERNAL", "UNAVAILABLE"];
  const security = op.security ?? "apiKey";
  if (security === "apiKey") codes.push("UNAUTHENTICATED", "RATE_LIMITED");
  // The admin API is not rate limited, and is a 404 everywhere where no admin key is configured.
  if (security === "adminKey") codes.push("UNAUTHENTICATED", "NOT_FOUND");
  if (op.body)
    codes.push("MALFORMED_JSON", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE", "VALIDATION_FAILED");
  if (op.query) codes.push("INVALID_QUERY");
  return codes;
}

/** Builds the OpenAPI 3.1 document of `operations`. */
export function buildOpenApiDocument(
  operations: readonly Operation[],
  opts: { serverUrl: string; version?: string },
): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const op of operations) {
    const path = openApiPath(op.path);
    paths[path] ??= {};
    if (paths[path][op.method]) throw new Error(`two descriptions of ${op.method.toUpperCase()} ${op.path}`);
    paths[path][op.method] = operationOf(op);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Postprocess API",
      version: opts.version ?? "1.0.0",
      description:
        "Post-processing of finished voice-agent conversations: transcript, audio, summary, PDF report and " +
        "email. Every /api call is authenticated by an API key and scoped to the key's account; /admin " +
        "calls are the operator's, with the admin key. Every response carries X-Request-Id; every error " +
        "has the one `Error` shape.",
    },
    servers: [{ url: opts.serverUrl.replace(/\/+$/, "") }],
    security: [{ apiKey: [] }],
    tags: [...new Set(operations.flatMap((o) => o.tags))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: jsonSchemaOf(errorBody, "output") },
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "API key",
          description: "An API key of the account: `Authorization: Bearer pp_live_…` (or `pp_test_…`).",
        },
        adminKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "admin key",
          description:
            "The operator's admin key: `Authorization: Bearer <key>`, whose SHA-256 is the deployment's " +
            "ADMIN_KEY_SHA256. Without that setting the admin API does not exist (404).",
        },
      },
    },
  };
}

function operationOf(op: Operation): OpenApiOperation {
  const security = SECURITY[op.security ?? "apiKey"];
  const parameters = [
    ...parametersOf(op.params, "path"),
    ...parametersOf(op.query, "query"),
    ...parametersOf(op.headers, "header"),
  ];
  const responses: OpenApiOperation["responses"] = {};
  for (const [status, r] of Object.entries(op.responses)) {
    responses[status] = {
      description: r.description,
      headers: headersOf({ ...REQUEST_ID, ...r.headers }),
      ...(r.schema ? { content: { "application/json": { schema: jsonSchemaOf(r.schema, "output") } } } : {}),
    };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...op.errors, ...implicitErrors(op)])) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: codes.map((c) => `${c}: ${errorMeanings[c]}`).join("; "),
      headers: headersOf({
        ...REQUEST_ID,
        ...(status === 429 ? { "Retry-After": "Seconds to wait before retrying." } : {}),
      }),
      content: { "application/json": { schema: ERROR_REF } },
      "x-error-codes": codes,
    };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: op.tags,
    ...(security ? { security } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: !op.body.optional,
            content: { "application/json": { schema: jsonSchemaOf(op.body.schema, "input") } },
          },
        }
      : {}),
    responses,
  };
}

function parametersOf(schema: z.ZodObject | undefined, where: OpenApiParameter["in"]): OpenApiParameter[] {
  if (!schema) return [];
  const json = jsonSchemaOf(schema, "input") as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s as JsonSchema & { description?: string };
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function headersOf(headers: Record<string, string>): NonNullable<OpenApiResponse["headers"]> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: "string" } }]),
  );
}
