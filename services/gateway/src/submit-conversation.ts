import type { EntityManager } from "@mikro-orm/postgresql";
import { newEventId } from "@postprocess/contracts";
import { inTransaction, type JobStatus, newProcessingId, statement, terminalStatuses } from "@postprocess/db";
import { type JobRequest, toConversationEnded } from "./conversation-request.ts";
import type { Publish } from "./deps.ts";
import { ApiError } from "./errors.ts";
import { processingIdForKey, requestHash } from "./idempotency.ts";
import { readSettingsAfter } from "./settings/account-settings.ts";
import { type Sql, sqlOn } from "./sql.ts";

/**
 * How long an accepted submission the projector has not turned into a job row yet still counts as the
 * conversation's active job. The projector normally lags by milliseconds; a submission unprojected for
 * longer than this most likely never will be (its event was lost), and must not block the conversation.
 */
export const UNPROJECTED_WINDOW_MS = 15 * 60_000;

const priorSql = statement(
  "SELECT processing_id, request_hash FROM gateway_submissions WHERE account_id = ? AND idempotency_key = ?",
);
const insertSubmissionSql = `INSERT INTO gateway_submissions
   (processing_id, account_id, conversation_id, email_id, idempotency_key, request_hash, created_at)
 VALUES (?, ?, ?, ?, ?, ?, ?)`;

/** A submission, as the route hands it over. */
export interface Submission {
  accountId: string;
  request: JobRequest;
  idempotencyKey: string | undefined;
}

/** What happened to a submission. */
export type SubmitOutcome =
  /** A new job was accepted and its event published. */
  | { kind: "created"; processingId: string }
  /** The same key and body were seen before: the first answer again, nothing published. */
  | { kind: "replayed"; processingId: string }
  /** The conversation already has an active job: that one, nothing published. */
  | { kind: "existing"; processingId: string; status: JobStatus };

/**
 * Accepts a conversation at most once per active job, race-safe across gateway replicas: in one
 * transaction it takes advisory locks on the idempotency key and on (account, conversation), checks for a
 * replay, then for an active job (projected, or submitted and not yet projected), records the submission
 * and publishes `conversation.ended`. The publish happens before the commit: a publish failure rolls the
 * submission back (503, the client retries), and a concurrent submission of the same conversation waits
 * on the lock until this one's row is visible. The event carries the account's settings as this
 * transaction reads them: the job runs with those, whatever changes later.
 */
export async function submitConversation(
  em: EntityManager,
  deps: { publish: Publish; now: () => Date },
  submission: Submission,
): Promise<SubmitOutcome> {
  const { accountId, request, idempotencyKey } = submission;
  const hash = requestHash(request);
  const submit = async (sql: Sql): Promise<SubmitOutcome> => {
    if (idempotencyKey !== undefined) {
      // Key first, conversation second, in every transaction: a fixed order cannot deadlock.
      await lock(sql, idempotencyLock(accountId, idempotencyKey));
      const [prior] = await sql<{ processing_id: string; request_hash: string }>(priorSql, [
        accountId,
        idempotencyKey,
      ]);
      if (prior) {
        if (prior.request_hash !== hash) {
          throw new ApiError(
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was already used with a different request body",
          );
        }
        return { kind: "replayed", processingId: prior.processing_id };
      }
    }
    await lock(sql, conversationLock(accountId, request.conversation_id));

    const now = deps.now();
    const active = await findActiveJob(sql, accountId, request.conversation_id, now);
    if (active) return { kind: "existing", processingId: active.processing_id, status: active.status };

    const processingId =
      idempotencyKey !== undefined
        ? processingIdForKey(accountId, idempotencyKey)
        : newProcessingId(now.getTime());
    // created_at is the event's occurred_at, which the projector uses as the job's created_at: the job keeps
    // its place in the history's order when its row replaces the submission.
    // The submission row and the settings the job will run with, in one round trip.
    const settings = await readSettingsAfter(sql, accountId, {
      query: insertSubmissionSql,
      params: [
        processingId,
        accountId,
        request.conversation_id,
        request.email_id,
        idempotencyKey ?? null,
        hash,
        now,
      ],
    });
    const event = toConversationEnded(
      request,
      { eventId: newEventId(now.getTime()), processingId, accountId, occurredAt: now },
      settings,
    );
    try {
      await deps.publish("conversationEnded", event);
    } catch (cause) {
      throw new ApiError("UNAVAILABLE", "the conversation could not be queued; retry later", { cause });
    }
    return { kind: "created", processingId };
  };
  // Inside a caller's transaction (a webhook receipt, a reconciliation run): part of it. Otherwise on the
  // ORM's pool with prepared statements, as every API submission runs these five: BEGIN, lock(s), the
  // active-job check, the insert with the settings read, COMMIT.
  return em.getTransactionContext()
    ? em.transactional((tx: EntityManager) => submit(sqlOn(tx)))
    : inTransaction(em, submit);
}

/** The advisory lock on one Idempotency-Key of an account; taken before the conversation's (fixed order). */
export const idempotencyLock = (accountId: string, key: string) => `idempotency/${accountId}/${key}`;

/** The advisory lock serialising everything that may start a job for one conversation of an account. */
export const conversationLock = (accountId: string, conversationId: string) =>
  `${accountId}/${conversationId}`;

/** Blocks until this transaction holds the advisory lock named `name` (released at commit or rollback). */
export async function lock(sql: Sql, name: string): Promise<void> {
  await sql(lockSql, [name]);
}
const lockSql = statement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))");

const activeJobSql = statement(
  `SELECT processing_id, status FROM (
       SELECT processing_id, status, created_at FROM conversation_processing
        WHERE account_id = ? AND conversation_id = ?
          AND status NOT IN (SELECT value FROM json_array_elements_text(?::json))
       UNION ALL
       SELECT s.processing_id, 'pending', s.created_at FROM gateway_submissions s
        WHERE s.account_id = ? AND s.conversation_id = ? AND s.created_at > ?
          AND NOT EXISTS (SELECT 1 FROM conversation_processing cp WHERE cp.processing_id = s.processing_id)
     ) active
     ORDER BY created_at DESC LIMIT 1`,
);

/** The newest active job of a conversation: a projected job not yet finished, or a recent unprojected submission. */
async function findActiveJob(
  sql: Sql,
  accountId: string,
  conversationId: string,
  now: Date,
): Promise<{ processing_id: string; status: JobStatus } | undefined> {
  const [row] = await sql<{ processing_id: string; status: JobStatus }>(activeJobSql, [
    accountId,
    conversationId,
    JSON.stringify(terminalStatuses),
    accountId,
    conversationId,
    new Date(now.getTime() - UNPROJECTED_WINDOW_MS),
  ]);
  return row;
}
