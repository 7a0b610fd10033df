import { createHash } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { type ConversationRequest, conversationRequest } from "../conversation-request.ts";
import type { Publish } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { type Sql, sqlOn } from "../sql.ts";
import { conversationLock, idempotencyLock, lock, submitConversation } from "../submit-conversation.ts";

/**
 * The Idempotency-Key of the job the sweep starts for a conversation: the same for every run and replica, so
 * the processing id is too (`processingIdForKey`), and a second start of the same request is a replay. Ids
 * too long to fit the 255-character key column are hashed.
 */
export function reconcileIdempotencyKey(conversationId: string): string {
  const key = `elevenlabs-conversation/${conversationId}`;
  return key.length <= 255
    ? key
    : `elevenlabs-conversation/sha256:${createHash("sha256").update(conversationId).digest("hex")}`;
}

/**
 * Which of `conversationIds` already have a job of the account (any status, projected or only submitted)
 * or a transcription webhook receipt: the sweep leaves those alone. One query per listed page.
 */
export async function alreadyHandled(
  sql: Sql,
  accountId: string,
  conversationIds: readonly string[],
): Promise<Set<string>> {
  if (conversationIds.length === 0) return new Set();
  const rows = await sql<{ conversation_id: string }>(
    `WITH ids AS (SELECT value AS id FROM json_array_elements_text(?::json))
     SELECT conversation_id FROM conversation_processing
      WHERE account_id = ? AND conversation_id IN (SELECT id FROM ids)
     UNION
     SELECT conversation_id FROM gateway_submissions
      WHERE account_id = ? AND conversation_id IN (SELECT id FROM ids)
     UNION
     SELECT conversation_id FROM elevenlabs_webhook_receipts
      WHERE account_id = ? AND webhook_type = 'post_call_transcription' AND conversation_id IN (SELECT id FROM ids)`,
    [JSON.stringify(conversationIds), accountId, accountId, accountId],
  );
  return new Set(rows.map((r) => r.conversation_id));
}

/** What the sweep asks for one conversation. */
export interface ReconciledJob {
  accountId: string;
  request: ConversationRequest;
}

/** The submission of a conversation ElevenLabs finished, whose report goes to the integration's recipient. */
export function reconciledRequest(
  conversationId: string,
  agentId: string,
  recipientEmail: string,
): ConversationRequest | { invalid: string } {
  const parsed = conversationRequest.safeParse({
    conversation_id: conversationId,
    email_id: recipientEmail,
    source: { kind: "elevenlabs", agent_id: agentId || undefined },
  });
  return parsed.success
    ? parsed.data
    : { invalid: parsed.error.issues.map((i) => i.path.join(".")).join(", ") };
}

/** `started`: a job was accepted and published; `handled`: another run, replica or the webhook got there first. */
export type StartOutcome = { kind: "started"; processingId: string } | { kind: "handled" };

/**
 * Starts the job unless the conversation got one meanwhile. The check runs under the same advisory locks, in
 * the same order, as `submitConversation` (which then takes them again: they are re-entrant), so neither a
 * concurrent sweep nor the webhook receiver nor a client's POST can slip a job in between the check and the
 * start, and a finished job is never redone (`submitConversation` alone only refuses a second *active* one).
 */
export async function startReconciledJob(
  orm: MikroORM,
  deps: { publish: Publish; now: () => Date },
  job: ReconciledJob,
): Promise<StartOutcome> {
  const { accountId, request } = job;
  const idempotencyKey = reconcileIdempotencyKey(request.conversation_id);
  return orm.em.fork().transactional(async (tx) => {
    const sql = sqlOn(tx);
    await lock(sql, idempotencyLock(accountId, idempotencyKey));
    await lock(sql, conversationLock(accountId, request.conversation_id));
    if ((await alreadyHandled(sql, accountId, [request.conversation_id])).size > 0)
      return { kind: "handled" };
    try {
      const outcome = await submitConversation(tx, deps, { accountId, request, idempotencyKey });
      return outcome.kind === "created"
        ? { kind: "started", processingId: outcome.processingId }
        : { kind: "handled" };
    } catch (err) {
      // The key already named another request (a client chose it for its own submission): not ours to redo.
      if (err instanceof ApiError && err.code === "IDEMPOTENCY_KEY_REUSED") return { kind: "handled" };
      throw err;
    }
  });
}
