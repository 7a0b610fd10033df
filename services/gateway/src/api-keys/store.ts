import { statement } from "@postprocess/db";
import { isoOrNull, type Sql } from "../sql.ts";
import { type KeyEnvironment, type MintedKey, mintApiKey } from "./key-format.ts";

/** An API key as listings show it: never the key itself. */
export interface ApiKeyInfo {
  id: string;
  account_id: string;
  name: string;
  environment: KeyEnvironment;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** What authenticating a key yields: whose it is and the account's rate limit. */
export interface KeyIdentity {
  keyId: string;
  keyHash: string;
  accountId: string;
  ratePerMinute: number;
  burst: number;
}

// Prepared: every request runs it.
const authenticateSql = statement(
  `WITH found AS (
       SELECT k.id, k.account_id, k.last_used_at, a.rate_limit_per_minute, a.rate_limit_burst
         FROM api_keys k JOIN accounts a ON a.id = k.account_id
        WHERE k.key_hash = ? AND k.revoked_at IS NULL
     ), touched AS (
       UPDATE api_keys k SET last_used_at = now() FROM found f
        WHERE k.id = f.id AND (f.last_used_at IS NULL OR f.last_used_at < now() - interval '1 minute')
     )
     SELECT id, account_id, rate_limit_per_minute, rate_limit_burst FROM found`,
);

/** The account a request is authenticated as, or undefined (unknown or revoked: the same 401 either way). */
export async function authenticate(sql: Sql, keyHash: string): Promise<KeyIdentity | undefined> {
  // One round trip on every request: the lookup, and at most one write a minute per key to `last_used_at`
  // (it is for people spotting unused keys, not an audit log).
  const [row] = await sql<{
    id: string;
    account_id: string;
    rate_limit_per_minute: number;
    rate_limit_burst: number;
  }>(authenticateSql, [keyHash]);
  if (!row) return undefined;
  return {
    keyId: row.id,
    keyHash,
    accountId: row.account_id,
    ratePerMinute: row.rate_limit_per_minute,
    burst: row.rate_limit_burst,
  };
}

/** Creates a key for an account; the returned plaintext is the only copy there will ever be. */
export async function createApiKey(
  sql: Sql,
  accountId: string,
  opts: { name: string; environment: KeyEnvironment },
): Promise<MintedKey & { info: ApiKeyInfo }> {
  const key = mintApiKey(opts.environment);
  const [info] = await sql<ApiKeyInfo>(
    `INSERT INTO api_keys (id, account_id, name, environment, key_prefix, key_hash)
     VALUES (?, ?, ?, ?, ?, ?)
     RETURNING ${INFO_COLUMNS}`,
    [key.id, accountId, opts.name, key.environment, key.prefix, key.hash],
  );
  return { ...key, info: toInfo(info!) };
}

/** The keys of an account, newest first, revoked ones included (marked). */
export async function listApiKeys(sql: Sql, accountId: string): Promise<ApiKeyInfo[]> {
  const rows = await sql<ApiKeyInfo>(
    `SELECT ${INFO_COLUMNS} FROM api_keys WHERE account_id = ? ORDER BY created_at DESC, id DESC`,
    [accountId],
  );
  return rows.map(toInfo);
}

/**
 * Revokes a key (idempotent: revoking twice keeps the first time). Scoped to `accountId` when given, so an
 * account can only revoke its own keys; the admin path passes none. Undefined when there is no such key.
 */
export async function revokeApiKey(
  sql: Sql,
  keyId: string,
  accountId?: string,
): Promise<ApiKeyInfo | undefined> {
  const [row] = await sql<ApiKeyInfo>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
      WHERE id = ? AND (?::text IS NULL OR account_id = ?)
      RETURNING ${INFO_COLUMNS}`,
    [keyId, accountId ?? null, accountId ?? null],
  );
  return row ? toInfo(row) : undefined;
}

const INFO_COLUMNS =
  "id, account_id, name, environment, key_prefix AS prefix, created_at, last_used_at, revoked_at";

function toInfo(row: ApiKeyInfo): ApiKeyInfo {
  return {
    ...row,
    created_at: isoOrNull(row.created_at) ?? "",
    last_used_at: isoOrNull(row.last_used_at),
    revoked_at: isoOrNull(row.revoked_at),
  };
}
