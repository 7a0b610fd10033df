import { randomBytes } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { createOrm, createSecretBox, migrate, type SecretBox } from "@postprocess/db";

/** A migrated database with accounts `acc_a` and `acc_b`, and a secret box to seal their endpoints' secrets. */
export async function callbacksDatabase(url: string): Promise<{ orm: MikroORM; secrets: SecretBox }> {
  const orm = createOrm({ clientUrl: url });
  await migrate(orm);
  await sql(orm, "INSERT INTO accounts (id, name) VALUES ('acc_a', 'A'), ('acc_b', 'B')");
  return { orm, secrets: createSecretBox(randomBytes(32)) };
}

/** Raw SQL on a fresh unit of work. */
export function sql<Row = Record<string, unknown>>(orm: MikroORM, query: string, params: unknown[] = []) {
  return orm.em.fork().getConnection().execute(query, params) as Promise<Row[]>;
}

/**
 * Registers `url` as the account's endpoint, as the gateway would; returns the plaintext `whsec_` secret.
 * Registered an hour ago unless `createdAt` says otherwise: only outcomes after registration are called back.
 */
export async function registerEndpoint(
  orm: MikroORM,
  secrets: SecretBox,
  accountId: string,
  url: string,
  opts: { enabled?: boolean; createdAt?: Date } = {},
): Promise<string> {
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  await sql(
    orm,
    `INSERT INTO callback_endpoints (account_id, url, secret, enabled, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, enabled = EXCLUDED.enabled`,
    [
      accountId,
      url,
      secrets.seal(secret),
      opts.enabled ?? true,
      opts.createdAt ?? new Date(Date.now() - 3600_000),
    ],
  );
  return secret;
}
