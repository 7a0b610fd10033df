import type { EntityManager } from "@mikro-orm/postgresql";
import { normalizeElevenLabsTranscript, s3Url, webhookAudioKey } from "@postprocess/worker";
import type { JobRequest } from "../conversation-request.ts";
import type { Publish } from "../deps.ts";
import { type Sql, sqlOn } from "../sql.ts";
import { conversationLock, idempotencyLock, lock, submitConversation } from "../submit-conversation.ts";
import type { TranscriptionWebhook } from "./payloads.ts";
import { receiptJob, recordFirstReceipt, setReceiptJob } from "./receipts.ts";

/** What became of a transcription webhook. */
export type TranscriptionOutcome =
  /** A job was started and its `conversation.ended` published (acked). */
  | { status: "accepted"; processingId: string }
  /** This webhook was seen before (an ElevenLabs retry, or a replay): nothing done. */
  | { status: "duplicate"; processingId: string | null }
  /** The conversation already has a job (submitted through the API or by the sweep): nothing started. */
  | { status: "existing"; processingId: string };

/**
 * The Idempotency-Key of the job a transcription webhook starts: per conversation, so even a commit lost
 * after the publish cannot make a retry start a job under another id (the projector folds both into one).
 */
export function webhookIdempotencyKey(conversationId: string): string {
  return `elevenlabs-webhook/${conversationId}`;
}

/**
 * The job a transcription webhook asks for: the transcript inline (normalised as the extractor does for a
 * fetched one: tool calls and results stay `tool` turns), so the pipeline never calls ElevenLabs for it;
 * the recording referenced where the audio webhook leaves it, whether it came before or comes after; the
 * report to the integration's recipient.
 */
export function transcriptionRequest(
  payload: TranscriptionWebhook,
  ctx: { accountId: string; recipientEmail: string; audioBucket: string },
): JobRequest {
  const { data } = payload;
  const audioKey = webhookAudioKey(ctx.accountId, data.conversation_id);
  return {
    conversation_id: data.conversation_id,
    email_id: ctx.recipientEmail,
    source: {
      kind: "inline",
      transcript: normalizeElevenLabsTranscript(data.transcript),
      ...(data.agent_id ? { agent_id: data.agent_id } : {}),
      // Only an explicit `false` means no recording; payloads from before `has_audio` existed may have one.
      ...(data.has_audio === false ? {} : { audio_url: s3Url(ctx.audioBucket, audioKey) }),
    },
  };
}

/**
 * Starts the conversation's job once, whatever the retries, replays and races: in one transaction, under
 * the advisory locks `submitConversation` takes (same order: key, then conversation), it records the
 * receipt (a replay finds it and stops), leaves alone a conversation that already has a job of any status
 * (a second report of the same call helps nobody), and otherwise submits. The publish happens before the
 * commit, so a 200 means the event is in Kafka, and a failure rolls the receipt back for ElevenLabs' retry.
 */
export async function acceptTranscription(
  em: EntityManager,
  deps: { publish: Publish; now: () => Date },
  args: { accountId: string; payload: TranscriptionWebhook; request: JobRequest },
): Promise<TranscriptionOutcome> {
  const { accountId, payload, request } = args;
  const conversationId = payload.data.conversation_id;
  const key = webhookIdempotencyKey(conversationId);
  return em.transactional(async (tx: EntityManager) => {
    const sql = sqlOn(tx);
    await lock(sql, idempotencyLock(accountId, key));
    await lock(sql, conversationLock(accountId, conversationId));
    const first = await recordFirstReceipt(sql, {
      accountId,
      type: "post_call_transcription",
      conversationId,
      agentId: payload.data.agent_id ?? null,
      eventTimestamp: payload.event_timestamp ?? null,
      details: {
        status: payload.data.status ?? null,
        has_audio: payload.data.has_audio ?? null,
        transcript_entries: payload.data.transcript.length,
        start_time_unix_secs: payload.data.metadata?.start_time_unix_secs ?? null,
        call_duration_secs: payload.data.metadata?.call_duration_secs ?? null,
      },
    });
    if (!first) {
      return {
        status: "duplicate",
        processingId: await receiptJob(sql, accountId, "post_call_transcription", conversationId),
      };
    }
    const existing = await latestJob(sql, accountId, conversationId);
    if (existing) {
      await setReceiptJob(sql, accountId, conversationId, existing);
      return { status: "existing", processingId: existing };
    }
    const outcome = await submitConversation(tx, deps, { accountId, request, idempotencyKey: key });
    await setReceiptJob(sql, accountId, conversationId, outcome.processingId);
    return outcome.kind === "created"
      ? { status: "accepted", processingId: outcome.processingId }
      : { status: "existing", processingId: outcome.processingId };
  });
}

/** The conversation's newest job, projected or only submitted, in any status. */
async function latestJob(sql: Sql, accountId: string, conversationId: string): Promise<string | undefined> {
  const [row] = await sql<{ processing_id: string }>(
    `SELECT processing_id FROM (
       SELECT processing_id, created_at FROM conversation_processing WHERE account_id = ? AND conversation_id = ?
       UNION ALL
       SELECT processing_id, created_at FROM gateway_submissions WHERE account_id = ? AND conversation_id = ?
     ) jobs ORDER BY created_at DESC LIMIT 1`,
    [accountId, conversationId, accountId, conversationId],
  );
  return row?.processing_id;
}
