import { isoOrNull, type Sql } from "../sql.ts";
import type { Progress } from "./window.ts";

/** An account whose ElevenLabs conversations the sweep reconciles (a row of `elevenlabs_integrations`). */
export interface ReconciledIntegration extends Progress {
  accountId: string;
  /** Sealed with the deployment's SecretBox; opened only to be sent to ElevenLabs. */
  sealedApiKey: string;
  agentId: string | null;
  recipientEmail: string;
}

const date = (value: unknown) => {
  const iso = isoOrNull(value);
  return iso === null ? null : new Date(iso);
};

/**
 * The integrations a run reconciles now: enabled, with an API key, and not told by a 429 to wait. In account
 * order, so runs (and their logs) are repeatable.
 */
export async function dueIntegrations(sql: Sql, now: Date): Promise<ReconciledIntegration[]> {
  const rows = await sql<Record<string, unknown>>(
    `SELECT account_id, api_key, agent_id, recipient_email, reconciled_until, reconcile_resume_before
     FROM elevenlabs_integrations
     WHERE reconcile_enabled AND api_key IS NOT NULL
       AND (reconcile_not_before IS NULL OR reconcile_not_before <= ?)
     ORDER BY account_id`,
    [now],
  );
  return rows.map((r) => ({
    accountId: r.account_id as string,
    sealedApiKey: r.api_key as string,
    agentId: (r.agent_id as string | null) ?? null,
    recipientEmail: r.recipient_email as string,
    reconciledUntil: date(r.reconciled_until),
    resumeBefore: date(r.reconcile_resume_before),
  }));
}

/**
 * Stores a run's progress, and when ElevenLabs said to slow down, the instant before which no run lists this
 * account again (kept in the row, not in memory: the next run may be another replica's).
 */
export async function saveProgress(
  sql: Sql,
  accountId: string,
  progress: Progress & { notBefore: Date | null },
): Promise<void> {
  await sql(
    `UPDATE elevenlabs_integrations
     SET reconciled_until = ?, reconcile_resume_before = ?, reconcile_not_before = ?
     WHERE account_id = ?`,
    [progress.reconciledUntil, progress.resumeBefore, progress.notBefore, accountId],
  );
}
