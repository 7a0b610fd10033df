import type { Hono } from "hono";
import { z } from "zod";
import { apiKeyList, apiKeyView, createdApiKeyView, newKeySchema } from "../api-keys/schemas.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../api-keys/store.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { Operation } from "../openapi/operation.ts";
import { parseParams } from "../path-params.ts";
import { sqlOn } from "../sql.ts";
import { parseOrThrow } from "../validation.ts";

const PATH = "/api/v1/keys";

const keyParams = z.object({ key_id: z.string().describe("The key's id (key_ + ULID), as listed.") });

const listOperation: Operation = {
  method: "get",
  path: PATH,
  operationId: "listApiKeys",
  summary: "The account's API keys",
  description:
    "Never the keys themselves: each shows its prefix, when it was last used and whether it is revoked.",
  tags: ["API keys"],
  responses: { 200: { description: "Every key of the account.", schema: apiKeyList } },
  errors: [],
};

const createOperation: Operation = {
  method: "post",
  path: PATH,
  operationId: "createApiKey",
  summary: "Create an API key",
  description:
    "To rotate without downtime: create the new key, deploy it, then revoke the old one. The key is in " +
    "this answer and nowhere else.",
  tags: ["API keys"],
  body: { schema: newKeySchema },
  responses: { 201: { description: "The new key, with the key itself.", schema: createdApiKeyView } },
  errors: [],
};

const revokeOperation: Operation = {
  method: "delete",
  path: `${PATH}/:key_id`,
  operationId: "revokeApiKey",
  summary: "Revoke an API key",
  description:
    "Refused (401) from the next request on. Idempotent: revoking again answers the key with its first " +
    "revocation time. Revoking the key that makes the call is allowed.",
  tags: ["API keys"],
  params: keyParams,
  responses: { 200: { description: "The revoked key.", schema: apiKeyView } },
  errors: ["NOT_FOUND"],
};

/** The OpenAPI descriptions of the account's key routes. */
export const apiKeysOperations: Operation[] = [listOperation, createOperation, revokeOperation];

/**
 * An account's own keys: list, create (to rotate without downtime: create the new key, deploy it, revoke
 * the old one) and revoke. Always within the caller's account: another account's key id is a 404.
 */
export function registerApiKeys(app: Hono<AppEnv>): void {
  app.get(listOperation.path, async (c) => {
    const body: z.output<typeof apiKeyList> = { keys: await listApiKeys(sqlOn(c.var.em), c.var.accountId) };
    return c.json(body, 200);
  });

  app.post(createOperation.path, jsonBody(), async (c) => {
    const input = parseOrThrow(newKeySchema, c.var.body, "VALIDATION_FAILED", "key request is invalid");
    const key = await createApiKey(sqlOn(c.var.em), c.var.accountId, input);
    c.var.deps.log.info(
      { requestId: c.var.requestId, accountId: c.var.accountId, keyId: key.id },
      "API key created",
    );
    const body: z.output<typeof createdApiKeyView> = { ...key.info, key: key.plaintext };
    return c.json(body, 201);
  });

  app.delete(revokeOperation.path, async (c) => {
    const { key_id: id } = parseParams(c, keyParams);
    const key: z.output<typeof apiKeyView> | undefined = await revokeApiKey(
      sqlOn(c.var.em),
      id,
      c.var.accountId,
    );
    if (!key) throw new ApiError("NOT_FOUND", `no key ${id}`);
    c.var.deps.log.info(
      { requestId: c.var.requestId, accountId: c.var.accountId, keyId: key.id },
      "API key revoked",
    );
    return c.json(key, 200);
  });
}
