import { z } from "zod";

/**
 * The zod shapes of keys and accounts on the wire, shared by the customer routes (`/api/v1/keys`) and the
 * operator's (`/admin/v1/…`): the routes validate with the request schemas and type their answers with
 * the response schemas, and the OpenAPI document is built from both.
 */

/** A key request: the customer's `POST /api/v1/keys` and the operator's `POST …/accounts/:id/keys`. */
export const newKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100).describe("For people: which system uses the key."),
  environment: z.enum(["live", "test"]).default("live"),
});

/** A key as listings show it: never the key itself (`ApiKeyInfo`). */
export const apiKeyView = z.object({
  id: z.string().describe("key_ + ULID."),
  account_id: z.string(),
  name: z.string(),
  environment: z.enum(["live", "test"]),
  prefix: z.string().describe("The key's first characters (pp_live_ + 4): enough to tell keys apart."),
  created_at: z.iso.datetime(),
  last_used_at: z.iso.datetime().nullable().describe("Updated at most once a minute."),
  revoked_at: z.iso.datetime().nullable().describe("Null while the key works."),
});

/** A freshly created key: the only answer that carries the key itself. */
export const createdApiKeyView = apiKeyView.extend({
  key: z.string().describe("The API key (pp_live_… or pp_test_…). Shown this once: only its hash is stored."),
});

export const apiKeyList = z.object({
  keys: z.array(apiKeyView).describe("Newest first, revoked keys included."),
});

/** An account as the admin API shows it (`AccountInfo`). */
export const accountView = z.object({
  id: z.string(),
  name: z.string(),
  rate_limit_per_minute: z.int(),
  rate_limit_burst: z.int(),
  created_at: z.iso.datetime(),
});
