import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { z } from "zod";
import { callbackUrlSchema } from "../callback-url.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { Operation } from "../openapi/operation.ts";
import { isoOrNull, sqlOn } from "../sql.ts";
import { parseOrThrow } from "../validation.ts";

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newCallbackSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

const PATH = "/api/v1/callbacks/endpoint";

/** The endpoint's request body; the URL rule depends on the deployment (CALLBACK_ALLOW_HTTP). */
function endpointInput(opts: { allowHttp: boolean }) {
  return z.strictObject({
    url: callbackUrlSchema(opts).describe(
      "Where to POST the callbacks: an absolute https URL without credentials. Plain http is accepted only " +
        "where the deployment sets CALLBACK_ALLOW_HTTP (local receivers).",
    ),
    enabled: z
      .boolean()
      .default(true)
      .describe("False stops the callbacks: none is enqueued and pending ones fail at their next try."),
    rotate_secret: z.boolean().default(false).describe("Replace the signing secret (and show the new one)."),
  });
}

// Both variants are built once, so the documented body (https only, as in production) is the very object
// the route validates with unless a deployment allows http.
const endpointInputs = {
  httpsOnly: endpointInput({ allowHttp: false }),
  httpAllowed: endpointInput({ allowHttp: true }),
};

/** The endpoint as GET shows it: never the secret. */
const endpointView = z.object({
  url: z.string(),
  enabled: z.boolean(),
  created_at: z.iso.datetime().nullable(),
  updated_at: z.iso.datetime().nullable(),
});

/** The endpoint as PUT answers it: the secret only when it is new. */
const savedEndpointView = endpointView.extend({
  secret: z
    .string()
    .optional()
    .describe(
      "The Standard Webhooks signing secret (whsec_…): only when the endpoint was created or the secret " +
        "rotated by this call. Shown this once; keep it to verify our signatures.",
    ),
});

const putOperation: Operation = {
  method: "put",
  path: PATH,
  operationId: "putCallbackEndpoint",
  summary: "Register or replace the account's callback endpoint",
  description:
    "One endpoint per account, called when a job completes or fails (jobs finishing after it was " +
    "registered). Creating it shows its new signing secret, the only time it is shown; replacing the URL " +
    "keeps the secret unless rotate_secret. A new URL or secret applies to deliveries still pending.",
  tags: ["Callbacks"],
  body: { schema: endpointInputs.httpsOnly },
  responses: {
    200: { description: "Replaced (with the new secret if rotated).", schema: savedEndpointView },
    201: { description: "Created, with its signing secret.", schema: savedEndpointView },
  },
  errors: [],
};

const getOperation: Operation = {
  method: "get",
  path: PATH,
  operationId: "getCallbackEndpoint",
  summary: "The account's callback endpoint",
  description: "The secret is never shown again after the PUT that made it.",
  tags: ["Callbacks"],
  responses: { 200: { description: "The endpoint.", schema: endpointView } },
  errors: ["NOT_CONFIGURED"],
};

const deleteOperation: Operation = {
  method: "delete",
  path: PATH,
  operationId: "deleteCallbackEndpoint",
  summary: "Remove the account's callback endpoint",
  description: "Deliveries still pending fail at their next try.",
  tags: ["Callbacks"],
  responses: { 204: { description: "Removed." } },
  errors: ["NOT_CONFIGURED"],
};

/** The OpenAPI descriptions of the callback endpoint routes. */
export const callbackEndpointOperations: Operation[] = [putOperation, getOperation, deleteOperation];

interface EndpointRow {
  url: string;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

const view = (r: EndpointRow): z.output<typeof endpointView> => ({
  url: r.url,
  enabled: r.enabled,
  created_at: isoOrNull(r.created_at),
  updated_at: isoOrNull(r.updated_at),
});

/**
 * The account's completion-callback endpoint (one per account):
 * - `PUT /api/v1/callbacks/endpoint` `{url, enabled?, rotate_secret?}` creates it (201, with its new secret —
 *   the only time the secret is shown) or replaces its URL (200; the secret is kept unless `rotate_secret`,
 *   and then the new one is shown). A replaced URL or secret applies to deliveries still pending.
 * - `GET` shows it without the secret; `DELETE` removes it (pending deliveries then fail at their next try).
 * `allowHttp` (config CALLBACK_ALLOW_HTTP) lets local receivers use plain http.
 */
export function registerCallbackEndpoint(app: Hono<AppEnv>, opts: { allowHttp: boolean }): void {
  const putBody = opts.allowHttp ? endpointInputs.httpAllowed : endpointInputs.httpsOnly;

  app.put(putOperation.path, jsonBody(), async (c) => {
    const body = parseOrThrow(putBody, c.var.body, "VALIDATION_FAILED", "callback endpoint is invalid");
    const { deps, accountId, requestId } = c.var;
    const secret = newCallbackSecret();
    // One upsert, so two concurrent first PUTs cannot both believe they created the endpoint (and both
    // show a secret); `xmax = 0` is PostgreSQL's tell for a row this statement inserted.
    const [row] = await sqlOn(c.var.em)<EndpointRow & { created: boolean }>(
      `INSERT INTO callback_endpoints (account_id, url, secret, enabled) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE
         SET url = EXCLUDED.url, enabled = EXCLUDED.enabled,
             secret = CASE WHEN ?::boolean THEN EXCLUDED.secret ELSE callback_endpoints.secret END
       RETURNING url, enabled, created_at, updated_at, (xmax = 0) AS created`,
      [accountId, body.url, deps.secrets.seal(secret), body.enabled, body.rotate_secret],
    );
    if (!row) throw new Error("upsert returned no row");
    const showSecret = row.created || body.rotate_secret;
    deps.log.info(
      { requestId, accountId, created: row.created, rotated: body.rotate_secret && !row.created },
      "callback endpoint saved",
    );
    const saved: z.output<typeof savedEndpointView> = { ...view(row), ...(showSecret ? { secret } : {}) };
    return c.json(saved, row.created ? 201 : 200);
  });

  app.get(getOperation.path, async (c) => {
    const [row] = await sqlOn(c.var.em)<EndpointRow>(
      "SELECT url, enabled, created_at, updated_at FROM callback_endpoints WHERE account_id = ?",
      [c.var.accountId],
    );
    if (!row) throw new ApiError("NOT_CONFIGURED", "no callback endpoint is registered");
    return c.json(view(row), 200);
  });

  app.delete(deleteOperation.path, async (c) => {
    const deleted = await sqlOn(c.var.em)(
      "DELETE FROM callback_endpoints WHERE account_id = ? RETURNING account_id",
      [c.var.accountId],
    );
    if (!deleted.length) throw new ApiError("NOT_CONFIGURED", "no callback endpoint is registered");
    c.var.deps.log.info(
      { requestId: c.var.requestId, accountId: c.var.accountId },
      "callback endpoint deleted",
    );
    return c.body(null, 204);
  });
}
