import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { docsCsp, renderDocsPage } from "../openapi/docs-page.ts";
import { buildOpenApiDocument, type OpenApiDocument } from "../openapi/document.ts";
import type { Operation } from "../openapi/operation.ts";

/** The OpenAPI descriptions of the documentation itself. */
export const docsOperations: Operation[] = [
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openApiDocument",
    summary: "This API as an OpenAPI 3.1 document",
    description: "Generated from the schemas the routes validate with.",
    tags: ["Documentation"],
    security: "none",
    responses: {
      200: {
        description: "The document.",
        schema: z.looseObject({ openapi: z.literal("3.1.0") }),
      },
    },
    errors: [],
  },
  {
    method: "get",
    path: "/docs",
    operationId: "docsPage",
    summary: "This API as a readable HTML page",
    tags: ["Documentation"],
    security: "none",
    responses: { 200: { description: "The page (text/html)." } },
    errors: [],
  },
];

/**
 * `GET /openapi.json` and `GET /docs` (no API key: the documentation is public). Both are built once, on
 * first request, from `operations`: the routes' own descriptions.
 */
export function registerDocs(app: Hono<AppEnv>, operations: readonly Operation[]): void {
  let doc: OpenApiDocument | undefined;
  let html: string | undefined;
  const document = (serverUrl: string) => {
    doc ??= buildOpenApiDocument(operations, { serverUrl });
    return doc;
  };
  app.get("/openapi.json", (c) => c.json(document(c.var.deps.publicBaseUrl), 200));
  app.get("/docs", (c) => {
    html ??= renderDocsPage(document(c.var.deps.publicBaseUrl));
    c.header("Content-Security-Policy", docsCsp);
    return c.html(html, 200);
  });
}
