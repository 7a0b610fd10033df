import type { MikroORM } from "@mikro-orm/postgresql";
import type { SecretBox } from "@postprocess/db";
import { StepError } from "../step-error.ts";

/**
 * Which ElevenLabs key fetches an account's conversations and recordings: the account's own (registered
 * through the gateway's integration API, stored sealed) when it has one, else the deployment's
 * ELEVENLABS_API_KEY. Each account's calls live in its own ElevenLabs workspace, so one shared key cannot
 * read them all; the fallback keeps single-tenant deployments working with one variable.
 */
export interface ElevenLabsKeys {
  forAccount(accountId: string): Promise<string | undefined>;
}

/**
 * How long an account's answer is reused: a lookup (and an AES-GCM open) per job was a database round trip
 * on the hot path of two services. A key registered, rotated or removed takes effect within this time.
 */
export const accountKeyCacheMs = 30_000;

export function createElevenLabsKeys(opts: {
  orm: MikroORM;
  /** Opens sealed keys; without it (no SECRETS_KEY) only the deployment key is used. */
  secrets: SecretBox | undefined;
  fallback: string | undefined;
  /** Default accountKeyCacheMs; 0 reads the database every time. */
  cacheMs?: number;
  now?: () => number;
}): ElevenLabsKeys {
  const cacheMs = opts.cacheMs ?? accountKeyCacheMs;
  const now = opts.now ?? Date.now;
  // Answers only, never failures: a key that cannot be opened is reported on every job until fixed.
  const cache = new Map<string, { key: string | undefined; at: number }>();
  return {
    async forAccount(accountId) {
      const hit = cache.get(accountId);
      if (hit && now() - hit.at < cacheMs) return hit.key;
      const key = await lookup(accountId);
      if (cacheMs > 0) {
        // Bounded: an entry per account seen in the last cacheMs, pruned when the map grows.
        if (cache.size > 10_000) for (const [id, e] of cache) if (now() - e.at >= cacheMs) cache.delete(id);
        cache.set(accountId, { key, at: now() });
      }
      return key;
    },
  };

  async function lookup(accountId: string): Promise<string | undefined> {
    if (!opts.secrets) return opts.fallback;
    const [row] = (await opts.orm.em
      .fork()
      .getConnection()
      .execute("SELECT api_key FROM elevenlabs_integrations WHERE account_id = ?", [accountId])) as {
      api_key: string | null;
    }[];
    if (!row?.api_key) return opts.fallback;
    try {
      return opts.secrets.open(row.api_key);
    } catch (cause) {
      // Sealed under another SECRETS_KEY: retrying cannot help, and falling back to the deployment key
      // would read another workspace. The account must register its key again.
      throw new StepError(
        "ELEVENLABS_UNAUTHORIZED",
        `the ElevenLabs key registered for account ${accountId} cannot be opened with this deployment's SECRETS_KEY; register it again`,
        { cause },
      );
    }
  }
}
