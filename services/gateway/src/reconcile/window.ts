import type { ConversationSummary } from "./elevenlabs-list.ts";

/** How far back and how carefully the sweep looks. */
export interface ReconcilePolicy {
  /** A finished call's webhook may still be in flight this long after it ended: the sweep leaves it alone. */
  graceMs: number;
  /** Each run lists again this much before the high-water mark, so a call ElevenLabs lists late is still found. */
  overlapMs: number;
  /** Where an account's first run starts (it has no high-water mark yet). */
  lookbackMs: number;
  /** A call still unfinished this long after it started is given up on: it stops holding the mark back. */
  giveUpMs: number;
  /** Conversations per list request (ElevenLabs allows 1..100). */
  pageSize: number;
  /**
   * List requests per account and run. Bounded so that one account's backlog (a first run, or a long outage)
   * cannot hold the sweep, and the other accounts behind it, for minutes, nor spend the key's rate limit in
   * one go; a run that stops at the bound resumes below where it stopped (see `progressAfter`).
   */
  maxPages: number;
}

export const defaultReconcilePolicy: ReconcilePolicy = {
  graceMs: 10 * 60_000,
  overlapMs: 60 * 60_000,
  lookbackMs: 24 * 3_600_000,
  giveUpMs: 24 * 3_600_000,
  pageSize: 100,
  maxPages: 20,
};

/** What an integration row remembers between runs. */
export interface Progress {
  /** Conversations that started before this instant have been reconciled (null: never ran). */
  reconciledUntil: Date | null;
  /** A run stopped early: the next one lists below this start time first (null: nothing left over). */
  resumeBefore: Date | null;
}

/** The start-time window `[from, to)` one run lists, and the instant before which a call may be acted on. */
export interface RunWindow {
  fromSecs: number;
  toSecs: number;
  /** now − grace: a call that ended after it is too recent. */
  cutoff: Date;
}

/** The window of this run: from the mark (less the overlap) up to the resume point, or up to now − grace. */
export function runWindow(progress: Progress, now: Date, policy: ReconcilePolicy): RunWindow {
  const cutoff = new Date(now.getTime() - policy.graceMs);
  const from = progress.reconciledUntil
    ? progress.reconciledUntil.getTime() - policy.overlapMs
    : now.getTime() - policy.lookbackMs;
  const to = progress.resumeBefore ?? cutoff;
  // Whole seconds, widened by one on each side: whether ElevenLabs compares inclusively is not documented.
  return { fromSecs: Math.floor(from / 1000) - 1, toSecs: Math.ceil(to.getTime() / 1000) + 1, cutoff };
}

/**
 * What to do with one listed conversation:
 * - `start`: done, and ended before the cutoff, so its webhook is overdue;
 * - `pending`: still running, or ended too recently: a later run looks again (it holds the mark back);
 * - `settled`: nothing to do. `failed` calls have no transcript to process (the extractor fails such a job with
 *   ELEVENLABS_CONVERSATION_FAILED, and ElevenLabs sends no transcription webhook for them), and a call still
 *   unfinished `giveUpMs` after it started is not waited for any longer.
 */
export function classify(
  c: ConversationSummary,
  now: Date,
  cutoff: Date,
  policy: ReconcilePolicy,
): "start" | "pending" | "settled" {
  const startMs = c.start_time_unix_secs * 1000;
  if (c.status === "done")
    return startMs + c.call_duration_secs * 1000 <= cutoff.getTime() ? "start" : "pending";
  if (c.status === "failed") return "settled";
  return startMs < now.getTime() - policy.giveUpMs ? "settled" : "pending";
}

/** What one run saw of its window. */
export interface RunResult {
  /** Every page up to `has_more: false` was listed (and every `start` handled). */
  complete: boolean;
  /** The earliest start time among the `pending` conversations (null: none). */
  earliestPending: Date | null;
  /** The earliest start time among all listed conversations (null: none listed). */
  earliestSeen: Date | null;
}

/**
 * The progress to store after a run. Complete: the mark moves to the top of the window (never past now −
 * grace), held back to the earliest pending call so a later run lists it again, and the resume point is spent.
 * Stopped early (page bound, 429, an outage) after listing something: the list is newest first, so what is
 * left is below the earliest start seen; the next run lists from there down and the mark waits for it.
 * Otherwise nothing changes.
 */
export function progressAfter(before: Progress, window: RunWindow, run: RunResult): Progress {
  if (run.complete) {
    const top = before.resumeBefore ?? window.cutoff;
    const held = run.earliestPending && run.earliestPending < top ? run.earliestPending : top;
    return { reconciledUntil: held, resumeBefore: null };
  }
  if (!run.earliestSeen) return before;
  // One second up: the calls of that same second that did not fit are listed again (and skipped if done).
  const resumeBefore = new Date(run.earliestSeen.getTime() + 1000);
  const top = before.resumeBefore ?? window.cutoff;
  return resumeBefore < top ? { ...before, resumeBefore } : before;
}
