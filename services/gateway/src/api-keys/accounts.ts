import { z } from "zod";
import { isoOrNull, type Sql } from "../sql.ts";

/** An account as the admin path shows it. */
export interface AccountInfo {
  id: string;
  name: string;
  rate_limit_per_minute: number;
  rate_limit_burst: number;
  created_at: string;
}

/** The admin's account fields: the same ranges the table's CHECK constraints enforce. */
export const accountFields = {
  name: z.string().trim().min(1).max(255),
  rate_limit_per_minute: z.number().int().min(1).max(1_000_000),
  rate_limit_burst: z.number().int().min(1).max(100_000),
};

export const newAccountSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, _ or -"),
  name: accountFields.name,
  rate_limit_per_minute: accountFields.rate_limit_per_minute.optional(),
  rate_limit_burst: accountFields.rate_limit_burst.optional(),
});

export const accountPatchSchema = z.strictObject({
  name: accountFields.name.optional(),
  rate_limit_per_minute: accountFields.rate_limit_per_minute.optional(),
  rate_limit_burst: accountFields.rate_limit_burst.optional(),
});

/** Creates an account; undefined when the id is taken (the caller answers 409). */
export async function createAccount(
  sql: Sql,
  a: z.output<typeof newAccountSchema>,
): Promise<AccountInfo | undefined> {
  const [row] = await sql<AccountInfo>(
    `INSERT INTO accounts (id, name, rate_limit_per_minute, rate_limit_burst)
     VALUES (?, ?, COALESCE(?::int, 600), COALESCE(?::int, 60))
     ON CONFLICT (id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [a.id, a.name, a.rate_limit_per_minute ?? null, a.rate_limit_burst ?? null],
  );
  return row ? toInfo(row) : undefined;
}

/** Changes an account's name or rate limit; undefined when there is no such account. */
export async function updateAccount(
  sql: Sql,
  id: string,
  patch: z.output<typeof accountPatchSchema>,
): Promise<AccountInfo | undefined> {
  const [row] = await sql<AccountInfo>(
    `UPDATE accounts SET name = COALESCE(?, name),
        rate_limit_per_minute = COALESCE(?::int, rate_limit_per_minute),
        rate_limit_burst = COALESCE(?::int, rate_limit_burst)
      WHERE id = ? RETURNING ${COLUMNS}`,
    [patch.name ?? null, patch.rate_limit_per_minute ?? null, patch.rate_limit_burst ?? null, id],
  );
  return row ? toInfo(row) : undefined;
}

export async function findAccount(sql: Sql, id: string): Promise<AccountInfo | undefined> {
  const [row] = await sql<AccountInfo>(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`, [id]);
  return row ? toInfo(row) : undefined;
}

const COLUMNS = "id, name, rate_limit_per_minute, rate_limit_burst, created_at";

function toInfo(row: AccountInfo): AccountInfo {
  return { ...row, created_at: isoOrNull(row.created_at) ?? "" };
}
