import { createHash, randomBytes } from "node:crypto";

/** An operator admin key for a gateway started by a test or the demo: the key, and the hash to configure. */
export function newAdminKey(): { key: string; sha256: string } {
  const key = `pp_admin_${randomBytes(24).toString("base64url")}`;
  return { key, sha256: createHash("sha256").update(key).digest("hex") };
}

/**
 * Creates an account through a running gateway's admin API (an existing one is kept, as for a re-run demo)
 * and a fresh API key for it — the operator's real path, not a database shortcut. Resolves to the key.
 */
export async function createAccountWithKey(
  gatewayUrl: string,
  adminKey: string,
  id: string,
  opts: { name?: string; ratePerMinute?: number; burst?: number } = {},
): Promise<string> {
  const admin = (path: string, body: unknown) =>
    fetch(`${gatewayUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const created = await admin("/admin/v1/accounts", {
    id,
    name: opts.name ?? id,
    rate_limit_per_minute: opts.ratePerMinute ?? 100_000,
    rate_limit_burst: opts.burst ?? 10_000,
  });
  if (created.status !== 201 && created.status !== 409) {
    throw new Error(`creating account ${id}: ${created.status} ${await created.text()}`);
  }
  const key = await admin(`/admin/v1/accounts/${id}/keys`, { name: "pipeline", environment: "test" });
  if (key.status !== 201) throw new Error(`creating a key for ${id}: ${key.status} ${await key.text()}`);
  return ((await key.json()) as { key: string }).key;
}
