import type { MikroORM } from "@mikro-orm/postgresql";
import { eventTimeSession, type SecretBox } from "@postprocess/db";
import type { Logger } from "@postprocess/kafka";
import type { Publish } from "../deps.ts";
import { sqlOn } from "../sql.ts";
import {
  type ConversationSummary,
  type ElevenLabsLister,
  ElevenLabsRateLimitedError,
  ElevenLabsUnauthorizedError,
} from "./elevenlabs-list.ts";
import { type ReconciledIntegration, saveProgress } from "./integrations.ts";
import { alreadyHandled, reconciledRequest, startReconciledJob } from "./start-job.ts";
import { classify, type Progress, progressAfter, type ReconcilePolicy, runWindow } from "./window.ts";

/** What a reconciliation run needs; plain values, so a test builds them without a gateway. */
export interface ReconcileDeps {
  orm: MikroORM;
  publish: Publish;
  now: () => Date;
  log: Logger;
  /** Opens the integration's sealed ElevenLabs key. */
  secrets: SecretBox;
  elevenlabs: ElevenLabsLister;
  policy: ReconcilePolicy;
  /** List and decide, but start nothing and store nothing (the CLI's `--dry-run`). */
  dryRun?: boolean;
  /** Aborted at shutdown: the run ends after the page in hand, storing where it got to. */
  signal?: AbortSignal;
}

/** How an account's run ended. */
export type AccountOutcome =
  /** The whole window was listed. */
  | "complete"
  /** Stopped at the page bound (or at shutdown); the next run resumes below. */
  | "partial"
  /** ElevenLabs answered 429; no run lists this account before its Retry-After. */
  | "rate-limited"
  /** ElevenLabs refused the key (or it cannot be opened): skipped until someone fixes the integration. */
  | "unauthorized"
  /** ElevenLabs was unreachable or answered nonsense; the next run tries again. */
  | "unavailable";

/** One account's run, for logs and the CLI: ids and counts only, never a secret or conversation content. */
export interface AccountReport {
  accountId: string;
  outcome: AccountOutcome;
  pages: number;
  listed: number;
  /** Jobs started (in a dry run: that would be started, with no processing id). */
  started: { conversationId: string; processingId: string | null }[];
  /** Done conversations that already had a job or a transcription receipt, or got one meanwhile. */
  alreadyHandled: number;
  /** Still running, or ended within the grace period: a later run looks again. */
  pending: number;
  /** The high-water mark after the run (ISO), as stored (or, dry, as it would be). */
  reconciledUntil: string | null;
}

const DEFAULT_RETRY_AFTER_MS = 60_000;

/**
 * Reconciles one account: lists its conversations that started in the run's window, newest first, page by
 * page up to the page bound; starts a job for each one that is done, past the grace period, and has neither a
 * job nor a transcription receipt; then stores the new high-water mark (see `progressAfter`). ElevenLabs
 * errors end this account's run with an outcome; errors of our own (database, Kafka) are thrown, and store
 * no progress, so the next run lists the same conversations again.
 */
export async function reconcileAccount(
  account: ReconciledIntegration,
  deps: ReconcileDeps,
): Promise<AccountReport> {
  const { accountId } = account;
  const now = deps.now();
  const window = runWindow(account, now, deps.policy);
  const report: AccountReport = {
    accountId,
    outcome: "complete",
    pages: 0,
    listed: 0,
    started: [],
    alreadyHandled: 0,
    pending: 0,
    reconciledUntil: account.reconciledUntil?.toISOString() ?? null,
  };
  let apiKey: string;
  try {
    apiKey = deps.secrets.open(account.sealedApiKey);
  } catch (err) {
    // Sealed under another SECRETS_KEY, or altered: only re-entering the key helps.
    deps.log.error(
      { accountId, err: (err as Error).message },
      "reconciliation: the stored ElevenLabs key cannot be opened",
    );
    return { ...report, outcome: "unauthorized" };
  }

  let earliestPending: Date | null = null;
  let earliestSeen: Date | null = null;
  let notBefore: Date | null = null;
  let cursor: string | null = null;
  // An empty window (a resume point at or below the mark) needs no request to be complete.
  let complete = window.fromSecs >= window.toSecs;
  while (!complete && report.pages < deps.policy.maxPages && !deps.signal?.aborted) {
    let conversations: ConversationSummary[];
    try {
      const page = await deps.elevenlabs.listConversations({
        apiKey,
        agentId: account.agentId,
        startedAfterSecs: window.fromSecs,
        startedBeforeSecs: window.toSecs,
        pageSize: deps.policy.pageSize,
        cursor,
      });
      conversations = page.conversations;
      cursor = page.nextCursor;
    } catch (err) {
      report.outcome = listFailure(err);
      if (err instanceof ElevenLabsRateLimitedError)
        notBefore = new Date(now.getTime() + (err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS));
      const level =
        report.outcome === "unavailable" ? "warn" : report.outcome === "rate-limited" ? "info" : "error";
      deps.log[level](
        { accountId, page: report.pages + 1, err: (err as Error).message },
        "reconciliation: listing stopped",
      );
      break;
    }
    report.pages += 1;
    report.listed += conversations.length;

    const toStart: ConversationSummary[] = [];
    for (const c of conversations) {
      const started = new Date(c.start_time_unix_secs * 1000);
      if (!earliestSeen || started < earliestSeen) earliestSeen = started;
      const verdict = classify(c, now, window.cutoff, deps.policy);
      if (verdict === "start") toStart.push(c);
      if (verdict === "pending") {
        report.pending += 1;
        if (!earliestPending || started < earliestPending) earliestPending = started;
      }
    }
    await startAll(account, toStart, deps, report);
    complete = cursor === null;
  }
  if (!complete && report.outcome === "complete") report.outcome = "partial";

  // A refused key changes nothing: the window is the same once the key is fixed.
  const progress: Progress =
    report.outcome === "unauthorized"
      ? account
      : progressAfter(account, window, { complete, earliestPending, earliestSeen });
  report.reconciledUntil = progress.reconciledUntil?.toISOString() ?? null;
  if (!deps.dryRun) {
    // Bookkeeping, not a configuration change: the event-time session keeps `updated_at` as it was.
    await deps.orm.em
      .fork({ session: eventTimeSession })
      .transactional((tx) => saveProgress(sqlOn(tx), accountId, { ...progress, notBefore }));
  }
  deps.log.info(
    {
      accountId,
      outcome: report.outcome,
      pages: report.pages,
      listed: report.listed,
      started: report.started.length,
      alreadyHandled: report.alreadyHandled,
      pending: report.pending,
      reconciledUntil: report.reconciledUntil,
      dryRun: deps.dryRun ?? false,
    },
    "reconciliation run",
  );
  return report;
}

/** Starts the page's candidates that have no job yet (one query to drop the handled ones, then one by one). */
async function startAll(
  account: ReconciledIntegration,
  candidates: ConversationSummary[],
  deps: ReconcileDeps,
  report: AccountReport,
): Promise<void> {
  const { accountId } = account;
  const handled = await alreadyHandled(
    sqlOn(deps.orm.em.fork()),
    accountId,
    candidates.map((c) => c.conversation_id),
  );
  for (const c of candidates) {
    if (handled.has(c.conversation_id)) {
      report.alreadyHandled += 1;
      continue;
    }
    const request = reconciledRequest(c.conversation_id, c.agent_id, account.recipientEmail);
    // A bad recipient is the integration's fault, not the conversation's: store no progress past it.
    if ("invalid" in request && request.invalid.includes("email_id"))
      throw new Error(`the ElevenLabs integration of ${accountId} has an invalid recipient_email`);
    if ("invalid" in request) {
      deps.log.warn(
        { accountId, conversationId: c.conversation_id, invalid: request.invalid },
        "reconciliation: conversation cannot be submitted",
      );
      continue;
    }
    if (deps.dryRun) {
      report.started.push({ conversationId: c.conversation_id, processingId: null });
      continue;
    }
    const outcome = await startReconciledJob(deps.orm, deps, { accountId, request });
    if (outcome.kind === "handled") report.alreadyHandled += 1;
    else report.started.push({ conversationId: c.conversation_id, processingId: outcome.processingId });
  }
}

function listFailure(err: unknown): AccountOutcome {
  if (err instanceof ElevenLabsRateLimitedError) return "rate-limited";
  if (err instanceof ElevenLabsUnauthorizedError) return "unauthorized";
  return "unavailable";
}
