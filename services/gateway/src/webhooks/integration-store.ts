import type { EntityManager } from "@mikro-orm/postgresql";
import type { SecretBox } from "@postprocess/db";
import type { Logger } from "@postprocess/kafka";
import { z } from "zod";
import { ApiError } from "../errors.ts";
import { isoOrNull, type Sql, sqlOn } from "../sql.ts";

/**
 * The account's ElevenLabs integration (`elevenlabs_integrations`): the webhook signing secrets (two
 * during a rotation), the API key and agent of the reconciliation sweep, and who gets the reports. The
 * secrets are write-only: stored sealed, opened only to check a signature or call ElevenLabs, never
 * returned.
 */

// What a pasted secret or key looks like: printable ASCII, no spaces (a stray space is a paste mistake).
const secret = (min: number) =>
  z
    .string()
    .min(min)
    .max(512)
    .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

/**
 * `PUT /api/v1/integrations/elevenlabs`. `recipient_email` is always given (it is not secret, and the
 * first PUT needs it); any other field left out keeps its value; `null` clears `api_key` or `agent_id`.
 */
export const integrationInput = z.strictObject({
  webhook_secret: secret(16).optional(),
  api_key: secret(8).nullable().optional(),
  agent_id: z.string().min(1).max(255).nullable().optional(),
  recipient_email: z.email().max(255),
  reconcile_enabled: z.boolean().optional(),
});

export type IntegrationInput = z.output<typeof integrationInput>;

/** The integration as the API shows it: which secrets are set, never their values. */
export interface IntegrationView {
  provider: "elevenlabs";
  /** Where to point ElevenLabs' post-call webhook. */
  webhook_url: string;
  has_webhook_secret: boolean;
  has_previous_webhook_secret: boolean;
  has_api_key: boolean;
  agent_id: string | null;
  recipient_email: string;
  reconcile_enabled: boolean;
  reconciled_until: string | null;
  created_at: string;
  updated_at: string;
}

interface Row {
  webhook_secret: string | null;
  webhook_secret_previous: string | null;
  api_key: string | null;
  agent_id: string | null;
  recipient_email: string;
  reconcile_enabled: boolean;
  reconciled_until: unknown;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS = `webhook_secret, webhook_secret_previous, api_key, agent_id, recipient_email, reconcile_enabled,
  reconciled_until, created_at, updated_at`;

/** The public URL of an account's webhook receiver. */
export function webhookUrl(publicBaseUrl: string, accountId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}/api/v1/webhooks/elevenlabs/${encodeURIComponent(accountId)}`;
}

/** The account's integration, or undefined when it has none. */
export async function getIntegration(
  sql: Sql,
  accountId: string,
  publicBaseUrl: string,
): Promise<IntegrationView | undefined> {
  const [row] = await sql<Row>(`SELECT ${COLUMNS} FROM elevenlabs_integrations WHERE account_id = ?`, [
    accountId,
  ]);
  return row && view(row, accountId, publicBaseUrl);
}

/**
 * Creates or updates the integration in one transaction (the row locked, so two concurrent rotations
 * cannot both keep the same "previous"). A new webhook secret, different from the current one, moves the
 * current one to `previous`, where it stays accepted until dropped or rotated out by the next one.
 */
export async function putIntegration(
  em: EntityManager,
  secrets: SecretBox,
  accountId: string,
  input: IntegrationInput,
  publicBaseUrl: string,
): Promise<{ created: boolean; view: IntegrationView }> {
  return em.transactional(async (tx: EntityManager) => {
    const sql = sqlOn(tx);
    const [current] = await sql<Row>(
      `SELECT ${COLUMNS} FROM elevenlabs_integrations WHERE account_id = ? FOR UPDATE`,
      [accountId],
    );
    let webhookSecret = current?.webhook_secret ?? null;
    let previous = current?.webhook_secret_previous ?? null;
    if (input.webhook_secret !== undefined) {
      const same = webhookSecret !== null && openOrNull(secrets, webhookSecret) === input.webhook_secret;
      if (!same) {
        previous = webhookSecret;
        webhookSecret = secrets.seal(input.webhook_secret);
      }
    }
    const apiKey =
      input.api_key === undefined
        ? (current?.api_key ?? null)
        : input.api_key === null
          ? null
          : secrets.seal(input.api_key);
    const agentId = input.agent_id === undefined ? (current?.agent_id ?? null) : input.agent_id;
    const reconcile = input.reconcile_enabled ?? current?.reconcile_enabled ?? false;
    if (reconcile && apiKey === null) {
      throw new ApiError("VALIDATION_FAILED", "request body is invalid", {
        details: [{ path: "reconcile_enabled", message: "reconciliation needs an api_key" }],
      });
    }
    const [saved] = await sql<Row>(
      `INSERT INTO elevenlabs_integrations
         (account_id, webhook_secret, webhook_secret_previous, api_key, agent_id, recipient_email, reconcile_enabled)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET
         webhook_secret = EXCLUDED.webhook_secret,
         webhook_secret_previous = EXCLUDED.webhook_secret_previous,
         api_key = EXCLUDED.api_key,
         agent_id = EXCLUDED.agent_id,
         recipient_email = EXCLUDED.recipient_email,
         reconcile_enabled = EXCLUDED.reconcile_enabled
       RETURNING ${COLUMNS}`,
      [accountId, webhookSecret, previous, apiKey, agentId, input.recipient_email, reconcile],
    );
    return { created: current === undefined, view: view(saved!, accountId, publicBaseUrl) };
  });
}

/** Ends a rotation: only the current secret is accepted from now on. False when there is no integration. */
export async function dropPreviousSecret(sql: Sql, accountId: string): Promise<boolean> {
  const rows = await sql(
    "UPDATE elevenlabs_integrations SET webhook_secret_previous = NULL WHERE account_id = ? RETURNING account_id",
    [accountId],
  );
  return rows.length > 0;
}

/** What the webhook receiver needs of an integration. */
export interface WebhookIntegration {
  /** The current secret, then the previous one during a rotation. */
  secrets: string[];
  recipientEmail: string;
}

/**
 * The integration's opened webhook secrets and report recipient; undefined when the account has no
 * integration or no webhook secret. A secret that cannot be opened (SECRETS_KEY changed) is logged, never
 * its value, and left out: webhooks signed with it are refused until the secret is set again.
 */
export async function webhookIntegration(
  sql: Sql,
  secrets: SecretBox,
  accountId: string,
  log: Logger,
): Promise<WebhookIntegration | undefined> {
  const [row] = await sql<Pick<Row, "webhook_secret" | "webhook_secret_previous" | "recipient_email">>(
    `SELECT webhook_secret, webhook_secret_previous, recipient_email
       FROM elevenlabs_integrations WHERE account_id = ?`,
    [accountId],
  );
  if (!row) return undefined;
  const opened: string[] = [];
  for (const [which, sealed] of [
    ["current", row.webhook_secret],
    ["previous", row.webhook_secret_previous],
  ] as const) {
    if (sealed === null) continue;
    const plain = openOrNull(secrets, sealed);
    if (plain === null)
      log.error({ accountId, which }, "ElevenLabs webhook secret cannot be opened; set it again");
    else opened.push(plain);
  }
  return opened.length ? { secrets: opened, recipientEmail: row.recipient_email } : undefined;
}

function openOrNull(secrets: SecretBox, sealed: string): string | null {
  try {
    return secrets.open(sealed);
  } catch {
    return null;
  }
}

function view(row: Row, accountId: string, publicBaseUrl: string): IntegrationView {
  return {
    provider: "elevenlabs",
    webhook_url: webhookUrl(publicBaseUrl, accountId),
    has_webhook_secret: row.webhook_secret !== null,
    has_previous_webhook_secret: row.webhook_secret_previous !== null,
    has_api_key: row.api_key !== null,
    agent_id: row.agent_id,
    recipient_email: row.recipient_email,
    reconcile_enabled: row.reconcile_enabled,
    reconciled_until: isoOrNull(row.reconciled_until),
    created_at: isoOrNull(row.created_at)!,
    updated_at: isoOrNull(row.updated_at)!,
  };
}
