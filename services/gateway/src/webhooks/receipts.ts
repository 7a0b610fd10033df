import type { Sql } from "../sql.ts";
import type { WebhookType } from "./payloads.ts";

/** One row of `elevenlabs_webhook_receipts`: what a webhook of one conversation brought. */
export interface Receipt {
  accountId: string;
  type: WebhookType;
  conversationId: string;
  agentId: string | null;
  eventTimestamp: Date | null;
  failureReason?: string | null;
  details?: Record<string, unknown> | null;
}

/**
 * Records the first webhook of its (account, type, conversation); a replay finds the row and records
 * nothing. True when this call inserted it. Within a transaction, a concurrent twin waits on the unique
 * index until this one commits, then sees the row.
 */
export async function recordFirstReceipt(sql: Sql, r: Receipt): Promise<boolean> {
  const rows = await sql(
    `INSERT INTO elevenlabs_webhook_receipts
       (account_id, webhook_type, conversation_id, agent_id, event_timestamp, failure_reason, details)
     VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)
     ON CONFLICT (account_id, webhook_type, conversation_id) DO NOTHING
     RETURNING id`,
    params(r),
  );
  return rows.length > 0;
}

/**
 * Records a webhook whose latest delivery wins (the audio: a replay overwrote the same object, so the row
 * describes what is stored now). True when this is the first one of its conversation.
 */
export async function recordLatestReceipt(sql: Sql, r: Receipt): Promise<boolean> {
  const [row] = await sql<{ inserted: boolean }>(
    `INSERT INTO elevenlabs_webhook_receipts
       (account_id, webhook_type, conversation_id, agent_id, event_timestamp, failure_reason, details)
     VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)
     ON CONFLICT (account_id, webhook_type, conversation_id) DO UPDATE SET
       agent_id = EXCLUDED.agent_id, event_timestamp = EXCLUDED.event_timestamp,
       details = EXCLUDED.details, received_at = now()
     RETURNING (xmax = 0) AS inserted`,
    params(r),
  );
  return row?.inserted ?? false;
}

/** The job a transcription receipt led to (null: none, e.g. the conversation had one already). */
export async function receiptJob(
  sql: Sql,
  accountId: string,
  type: WebhookType,
  conversationId: string,
): Promise<string | null> {
  const [row] = await sql<{ processing_id: string | null }>(
    `SELECT processing_id FROM elevenlabs_webhook_receipts
      WHERE account_id = ? AND webhook_type = ? AND conversation_id = ?`,
    [accountId, type, conversationId],
  );
  return row?.processing_id ?? null;
}

/** Links a transcription receipt to the job it started or found. */
export async function setReceiptJob(
  sql: Sql,
  accountId: string,
  conversationId: string,
  processingId: string,
): Promise<void> {
  await sql(
    `UPDATE elevenlabs_webhook_receipts SET processing_id = ?
      WHERE account_id = ? AND webhook_type = 'post_call_transcription' AND conversation_id = ?`,
    [processingId, accountId, conversationId],
  );
}

function params(r: Receipt): unknown[] {
  return [
    r.accountId,
    r.type,
    r.conversationId,
    r.agentId,
    r.eventTimestamp,
    r.failureReason ?? null,
    r.details == null ? null : JSON.stringify(r.details),
  ];
}
