import type { Hono } from "hono";
import { z } from "zod";
import {
  accountPatchSchema,
  createAccount,
  findAccount,
  newAccountSchema,
  updateAccount,
} from "../api-keys/accounts.ts";
import { accountView, apiKeyList, apiKeyView, createdApiKeyView, newKeySchema } from "../api-keys/schemas.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../api-keys/store.ts";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { Operation } from "../openapi/operation.ts";
import { parseParams } from "../path-params.ts";
import { type Sql, sqlOn } from "../sql.ts";
import { parseOrThrow } from "../validation.ts";

const accountParams = z.object({ account_id: z.string().describe("The account's id.") });
const keyParams = z.object({ key_id: z.string().describe("The key's id (key_ + ULID).") });

const createAccountOperation: Operation = {
  method: "post",
  path: "/admin/v1/accounts",
  operationId: "adminCreateAccount",
  summary: "Create an account",
  description: "The rate limit defaults to 600 requests a minute with a burst of 60.",
  tags: ["Admin"],
  security: "adminKey",
  body: { schema: newAccountSchema },
  responses: { 201: { description: "The new account (it has no key yet).", schema: accountView } },
  errors: ["ALREADY_EXISTS"],
};

const updateAccountOperation: Operation = {
  method: "patch",
  path: "/admin/v1/accounts/:account_id",
  operationId: "adminUpdateAccount",
  summary: "Rename an account or change its rate limit",
  description: "Only the fields sent change.",
  tags: ["Admin"],
  security: "adminKey",
  params: accountParams,
  body: { schema: accountPatchSchema },
  responses: { 200: { description: "The account, after the change.", schema: accountView } },
  errors: ["NOT_FOUND"],
};

const listKeysOperation: Operation = {
  method: "get",
  path: "/admin/v1/accounts/:account_id/keys",
  operationId: "adminListApiKeys",
  summary: "An account's API keys",
  tags: ["Admin"],
  security: "adminKey",
  params: accountParams,
  responses: { 200: { description: "Every key of the account.", schema: apiKeyList } },
  errors: ["NOT_FOUND"],
};

const createKeyOperation: Operation = {
  method: "post",
  path: "/admin/v1/accounts/:account_id/keys",
  operationId: "adminCreateApiKey",
  summary: "Create an API key for an account",
  description: "The key is in this answer and nowhere else: hand it to the account's owner.",
  tags: ["Admin"],
  security: "adminKey",
  params: accountParams,
  body: { schema: newKeySchema },
  responses: { 201: { description: "The new key, with the key itself.", schema: createdApiKeyView } },
  errors: ["NOT_FOUND"],
};

const revokeKeyOperation: Operation = {
  method: "post",
  path: "/admin/v1/keys/:key_id/revoke",
  operationId: "adminRevokeApiKey",
  summary: "Revoke any account's API key",
  description: "Idempotent: revoking again answers the key with its first revocation time.",
  tags: ["Admin"],
  security: "adminKey",
  params: keyParams,
  responses: { 200: { description: "The revoked key.", schema: apiKeyView } },
  errors: ["NOT_FOUND"],
};

/** The OpenAPI descriptions of the operator's API. */
export const adminOperations: Operation[] = [
  createAccountOperation,
  updateAccountOperation,
  listKeysOperation,
  createKeyOperation,
  revokeKeyOperation,
];

/**
 * The operator's API (behind `requireAdminKey`): accounts and their keys. A new key's plaintext is in the
 * creation response and nowhere else — it is stored only as a hash.
 */
export function registerAdmin(app: Hono<AppEnv>): void {
  app.post(createAccountOperation.path, jsonBody(), async (c) => {
    const body = parseOrThrow(newAccountSchema, c.var.body, "VALIDATION_FAILED", "account is invalid");
    const account: z.output<typeof accountView> | undefined = await createAccount(sqlOn(c.var.em), body);
    if (!account) throw new ApiError("ALREADY_EXISTS", `account ${body.id} already exists`);
    c.var.deps.log.info({ requestId: c.var.requestId, accountId: account.id }, "account created");
    return c.json(account, 201);
  });

  app.patch(updateAccountOperation.path, jsonBody(), async (c) => {
    const { account_id: id } = parseParams(c, accountParams);
    const patch = parseOrThrow(accountPatchSchema, c.var.body, "VALIDATION_FAILED", "account is invalid");
    const account: z.output<typeof accountView> | undefined = await updateAccount(sqlOn(c.var.em), id, patch);
    if (!account) throw new ApiError("NOT_FOUND", `no account ${id}`);
    return c.json(account, 200);
  });

  app.get(listKeysOperation.path, async (c) => {
    const sql = sqlOn(c.var.em);
    const { account_id: id } = parseParams(c, accountParams);
    await requireAccount(sql, id);
    const body: z.output<typeof apiKeyList> = { keys: await listApiKeys(sql, id) };
    return c.json(body, 200);
  });

  app.post(createKeyOperation.path, jsonBody(), async (c) => {
    const input = parseOrThrow(newKeySchema, c.var.body, "VALIDATION_FAILED", "key request is invalid");
    const sql = sqlOn(c.var.em);
    const { account_id: id } = parseParams(c, accountParams);
    await requireAccount(sql, id);
    const key = await createApiKey(sql, id, input);
    c.var.deps.log.info({ requestId: c.var.requestId, accountId: id, keyId: key.id }, "API key created");
    const body: z.output<typeof createdApiKeyView> = { ...key.info, key: key.plaintext };
    return c.json(body, 201);
  });

  app.post(revokeKeyOperation.path, async (c) => {
    const { key_id: id } = parseParams(c, keyParams);
    const key: z.output<typeof apiKeyView> | undefined = await revokeApiKey(sqlOn(c.var.em), id);
    if (!key) throw new ApiError("NOT_FOUND", `no key ${id}`);
    c.var.deps.log.info({ requestId: c.var.requestId, keyId: key.id }, "API key revoked");
    return c.json(key, 200);
  });
}

/** The admin routes under an account: 404 when it does not exist (keys cannot belong to nobody). */
async function requireAccount(sql: Sql, id: string): Promise<void> {
  if (!(await findAccount(sql, id))) throw new ApiError("NOT_FOUND", `no account ${id}`);
}
