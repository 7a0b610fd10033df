import {
  derivedEventId,
  type EventOf,
  type JobSettingsSnapshot,
  terminalStatuses,
} from "@postprocess/contracts";
import { type BatchItem, dispositionOf, type HandlerContext, type Producer } from "@postprocess/kafka";
import type { JobStore } from "./job-store.ts";
import { type JobSettings, settingsFromSnapshot } from "./settings.ts";
import { codeOf, JobCancelledError, type StepErrorCode } from "./step-error.ts";

type Step = EventOf<"stepEvent">["step"];
type Warning = { code: string; message: string };

/** The ids every pipeline event carries. */
export interface Envelope {
  processing_id: string;
  conversation_id: string;
  account_id: string;
}

/** A step's input event: its ids, and the job's settings snapshot when the event carries one. */
export type StepInput = Envelope & { settings?: JobSettingsSnapshot | null };

/** What a step's work gets: the job's settings, the shutdown signal, and a cancellation check. */
export interface StepWork {
  settings: JobSettings;
  signal: AbortSignal;
  /** Throws JobCancelledError when the job was cancelled meanwhile; call it between long sub-steps. */
  checkCancelled(): Promise<void>;
  /** A fresh envelope (deterministic id) for an output event named `kind`. */
  envelope(kind: string): Envelope & { event_id: string; occurred_at: string };
  /** The settings snapshot the input carried, for the output event to carry on (null: none was taken). */
  snapshot: JobSettingsSnapshot | null;
}

/** What the work produced: the events to hand on, and a warning when it degraded or skipped. */
export interface StepOutcome {
  emit: BatchItem[];
  warning?: Warning;
  /** The step did nothing by design (a setting, missing input): recorded as `skipped`, not `completed`. */
  skipped?: boolean;
}

export interface StepDeps {
  producer: Pick<Producer, "sendBatch">;
  jobs: JobStore;
  now?: () => Date;
  /** How long a step runs before its `started` record goes out on its own (default 250 ms; see runStep). */
  startedDeferMs?: number;
}

/**
 * A step quicker than this publishes `started` in the same request as its outcome; a slower one publishes
 * it on its own once this much time has passed, so a long step (an LLM call) shows as running. Either way
 * the record carries the time the step really started. On the pipeline benchmark most steps took 10–80 ms,
 * and a produce request of its own for each `started` was half of every worker's requests to the broker.
 */
export const startedDeferMs = 250;

/**
 * Runs one pipeline step around `work`, the same way in every worker:
 *
 * - a job already finished (cancelled, failed, completed) is left alone; a cancelled one gets a `cancelled`
 *   step record once;
 * - a job past its account's `processing_timeout_minutes` fails with `TIMEOUT`;
 * - `started` (alone once the work has run for startedDeferMs, else with the outcome), then the work's
 *   events with `completed` (or `skipped` + warning) in one batch;
 * - a retriable failure records `retried` and rethrows, so the runtime retries; a non-retriable one, or the
 *   last attempt of a retriable one, records `failed` with a closed error code and returns (the job has
 *   failed; nothing is left to retry).
 *
 * Every event id is derived from the job, step, status and attempt, so running a step twice publishes
 * nothing new.
 */
export async function runStep(args: {
  step: Step;
  input: StepInput;
  ctx: HandlerContext;
  deps: StepDeps;
  /** The code a retriable failure shows once it has run out of attempts. */
  exhaustedCode: StepErrorCode;
  work(w: StepWork): Promise<StepOutcome>;
}): Promise<void> {
  const { step, input, ctx, deps } = args;
  const now = () => (deps.now ?? (() => new Date()))();
  const base = {
    processing_id: input.processing_id,
    conversation_id: input.conversation_id,
    account_id: input.account_id,
  };
  const stepEvent = (
    status: EventOf<"stepEvent">["status"],
    extra: Partial<EventOf<"stepEvent">> = {},
  ): BatchItem => ({
    topic: "stepEvent",
    context: ctx,
    event: {
      ...base,
      event_id: derivedEventId(
        input.processing_id,
        step,
        status,
        status === "retried" || status === "failed" ? ctx.attempt : 0,
      ),
      occurred_at: now().toISOString(),
      step,
      status,
      attempt: ctx.attempt,
      duration_ms: null,
      error: null,
      warning: null,
      ...extra,
    },
  });
  const publish = (items: BatchItem[]) => deps.producer.sendBatch(items);

  // The snapshot the input carries governs the step: the projector may not have stored the job yet.
  const snapshot = input.settings ?? null;
  const carried = snapshot ? settingsFromSnapshot(snapshot) : undefined;
  const view = await deps.jobs.view(input.processing_id, input.account_id, carried);
  if (view.status && (terminalStatuses as readonly string[]).includes(view.status)) {
    ctx.log.info({ step, status: view.status }, "job already finished; step not run");
    if (view.status === "cancelled") await publish([stepEvent("cancelled")]);
    return;
  }
  const limitMs = view.settings.processingTimeoutMinutes * 60_000;
  if (view.createdAt && now().getTime() - view.createdAt.getTime() > limitMs) {
    await publish([
      stepEvent("failed", {
        error: {
          code: "TIMEOUT",
          message: `job exceeded its ${view.settings.processingTimeoutMinutes}-minute limit`,
        },
      }),
    ]);
    return;
  }

  const started = performance.now();
  const startedRecord = stepEvent("started");
  // `started` goes out alone only if the work is still running after startedDeferMs; every later record of
  // the step waits for its ack (order holds), and a failed send still fails the step (after the work, which
  // is idempotent, so the runtime's retry is harmless). Otherwise it rides with the step's outcome.
  let startedSent: Promise<void> | undefined;
  const deferral = setTimeout(() => {
    startedSent = publish([startedRecord]);
    // Awaited on every path below; this only stops a rejection during the work from being reported as
    // unhandled before then.
    startedSent.catch(() => {});
  }, deps.startedDeferMs ?? startedDeferMs);
  /** The outcome's records, preceded by `started` unless it already went out (then once it is acked). */
  const publishAfterStarted = async (items: BatchItem[]) => {
    clearTimeout(deferral);
    if (startedSent) {
      await startedSent;
      await publish(items);
    } else {
      await publish([startedRecord, ...items]);
    }
  };
  let outcome: StepOutcome;
  try {
    outcome = await args.work({
      settings: view.settings,
      signal: ctx.signal,
      snapshot,
      async checkCancelled() {
        const v = await deps.jobs.view(input.processing_id, input.account_id, view.settings);
        if (v.status === "cancelled") throw new JobCancelledError(`job ${input.processing_id} was cancelled`);
      },
      envelope: (kind) => ({
        ...base,
        event_id: derivedEventId(input.processing_id, step, kind),
        occurred_at: now().toISOString(),
      }),
    });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    // Shutting down: the failure is ours, not the job's. Record nothing more; the runtime leaves the message
    // uncommitted and the next owner runs the step again.
    if (ctx.signal.aborted) {
      clearTimeout(deferral);
      await startedSent?.catch(() => {});
      throw error;
    }
    if (error instanceof JobCancelledError) {
      ctx.log.info({ step }, "job cancelled during the step; stopped");
      await publishAfterStarted([stepEvent("cancelled")]);
      return;
    }
    const info = { code: codeOf(error, args.exhaustedCode), message: error.message.slice(0, 2000) };
    if (dispositionOf(error) === "non-retriable" || ctx.lastAttempt) {
      ctx.log.warn({ step, code: info.code, error: info.message }, "step failed; job fails");
      await publishAfterStarted([
        stepEvent("failed", { error: info, duration_ms: Math.round(performance.now() - started) }),
      ]);
      return;
    }
    await publishAfterStarted([stepEvent("retried", { error: info })]);
    throw error;
  }
  const done = stepEvent(outcome.skipped ? "skipped" : "completed", {
    duration_ms: Math.round(performance.now() - started),
    warning: outcome.warning ?? null,
  });
  await publishAfterStarted([...outcome.emit, done]);
}
