import { createHash } from "node:crypto";
import { type EventOf, steps } from "@postprocess/contracts";
import { isTerminal, type JobState, movesForward, progressOfStep, statusOfStep } from "./job-state.ts";

/** Every event the projector folds into job state, tagged with its catalog topic. */
export type ProjectorInput =
  | { topic: "conversationEnded"; event: EventOf<"conversationEnded"> & { processing_id: string } }
  | { topic: "stepEvent"; event: EventOf<"stepEvent"> }
  | { topic: "transcriptExtracted"; event: EventOf<"transcriptExtracted"> }
  | { topic: "artifactsStored"; event: EventOf<"artifactsStored"> }
  | { topic: "summaryGenerated"; event: EventOf<"summaryGenerated"> }
  | { topic: "reportGenerated"; event: EventOf<"reportGenerated"> }
  | { topic: "emailSent"; event: EventOf<"emailSent"> }
  | { topic: "cancelRequested"; event: EventOf<"cancelRequested"> }
  | { topic: "filesDeleted"; event: EventOf<"filesDeleted"> }
  | { topic: "jobArchived"; event: EventOf<"jobArchived"> };

/** One `processing_audit_log` row. */
export interface AuditRow {
  eventId: string;
  processingId: string;
  conversationId: string;
  accountId: string;
  eventType: string;
  eventStatus: "started" | "completed" | "failed" | "retried" | "skipped" | "cancelled";
  stepName: string | null;
  stepDurationMs: number | null;
  eventData: Record<string, unknown> | null;
  errorMessage: string | null;
  retryCount: number;
  createdAt: string;
}

export interface Applied {
  job: JobState;
  audit: AuditRow | null;
}

/** A job seen first through a later event (topics interleave freely): filled in when its start arrives. */
function placeholder(e: {
  processing_id: string;
  conversation_id: string;
  account_id: string;
  occurred_at: string;
}): JobState {
  return {
    processingId: e.processing_id,
    conversationId: e.conversation_id,
    accountId: e.account_id,
    emailId: "",
    status: "pending",
    progress: 0,
    currentStep: null,
    errorCode: null,
    errorMessage: null,
    createdAt: e.occurred_at,
    startedAt: null,
    completedAt: null,
    totalDurationMs: null,
    transcriptUrl: null,
    audioUrl: null,
    reportUrl: null,
    summary: null,
    topic: null,
    sentiment: null,
    keyPoints: null,
    actionItems: null,
    warnings: [],
    settings: null,
    files: [],
    updatedAt: e.occurred_at,
    version: 0,
  };
}

const minIso = (a: string | null, b: string): string => (a === null || b < a ? b : a);
const maxIso = (a: string, b: string) => (b > a ? b : a);

function finish(job: JobState, status: "completed" | "failed" | "cancelled", at: string): void {
  job.status = status;
  job.completedAt = at;
  if (status === "completed") job.progress = 100;
}

function audit(
  e: {
    event_id: string;
    processing_id: string;
    conversation_id: string;
    account_id: string;
    occurred_at: string;
  },
  fields: Pick<AuditRow, "eventType" | "eventStatus"> & Partial<AuditRow>,
): AuditRow {
  return {
    eventId: e.event_id,
    processingId: e.processing_id,
    conversationId: e.conversation_id,
    accountId: e.account_id,
    stepName: null,
    stepDurationMs: null,
    eventData: null,
    errorMessage: null,
    retryCount: 0,
    createdAt: e.occurred_at,
    ...fields,
  };
}

/**
 * Folds one event into a job. Pure: the same events give the same job whatever order the topics
 * interleave in (status only moves forward, terminal states stay, timestamps merge by min/max, lists are
 * kept sorted), which is what makes replaying the stream into an empty database reproduce the rows.
 */
export function applyEvent(current: JobState | undefined, input: ProjectorInput): Applied {
  const e = input.event;
  const job: JobState = current
    ? {
        ...current,
        warnings: [...current.warnings],
        files: [...current.files],
        ...(current.deletedFiles ? { deletedFiles: [...current.deletedFiles] } : {}),
      }
    : placeholder(e);
  job.version += 1;
  job.updatedAt = maxIso(job.updatedAt, e.occurred_at);
  let row: AuditRow | null = null;

  switch (input.topic) {
    case "conversationEnded": {
      const ev = input.event;
      job.emailId = ev.email_id;
      // Only this event carries settings, and a job has one (its processing id comes from it), so the
      // fold stays order-independent. A copy: the stored snapshot must not alias the decoded event.
      if (ev.settings) job.settings = { ...ev.settings };
      job.createdAt = minIso(job.createdAt, ev.occurred_at);
      row = audit(ev, {
        eventType: "conversation.ended",
        eventStatus: "started",
        eventData: { source: ev.source.kind, labels: ev.labels, turns: ev.source.transcript.length },
      });
      break;
    }
    case "stepEvent": {
      const ev = input.event;
      const step = ev.step;
      if (ev.status === "started") {
        job.startedAt = minIso(job.startedAt, ev.occurred_at);
        if (movesForward(job.status, statusOfStep[step])) job.status = statusOfStep[step];
        // The furthest step started, whether or not the job has ended meanwhile (order-independent).
        if (job.currentStep === null || steps.indexOf(step) > steps.indexOf(job.currentStep as typeof step)) {
          job.currentStep = step;
        }
        if (!isTerminal(job.status)) job.progress = Math.max(job.progress, progressOfStep[step].started);
      } else if (ev.status === "completed" || ev.status === "skipped") {
        if (!isTerminal(job.status)) job.progress = Math.max(job.progress, progressOfStep[step].completed);
        if (ev.warning) addWarning(job, ev.warning);
      } else if (ev.status === "failed") {
        if (!isTerminal(job.status)) {
          finish(job, "failed", ev.occurred_at);
          job.errorCode = ev.error?.code ?? "STEP_FAILED";
          job.errorMessage = ev.error?.message ?? `step ${step} failed`;
        }
      } else if (ev.status === "cancelled") {
        if (!isTerminal(job.status)) finish(job, "cancelled", ev.occurred_at);
      }
      row = audit(ev, {
        eventType: `step.${ev.status}`,
        eventStatus: ev.status,
        stepName: step,
        stepDurationMs: ev.duration_ms,
        errorMessage: ev.error ? `${ev.error.code}: ${ev.error.message}` : null,
        retryCount: Math.max(0, ev.attempt - 1),
        eventData: ev.warning ? { warning: ev.warning } : null,
      });
      break;
    }
    case "transcriptExtracted":
      for (const w of input.event.warnings) addWarning(job, w);
      break;
    case "artifactsStored":
      for (const f of input.event.files) addFile(job, f, input.event.occurred_at);
      for (const w of input.event.warnings) addWarning(job, w);
      break;
    case "summaryGenerated": {
      const ev = input.event;
      job.summary = ev.summary;
      job.topic = ev.topic;
      job.sentiment = ev.sentiment;
      job.keyPoints = ev.key_points;
      job.actionItems = ev.action_items;
      for (const w of ev.warnings) addWarning(job, w);
      if (ev.summary_file) addFile(job, ev.summary_file, ev.occurred_at);
      break;
    }
    case "reportGenerated":
      if (input.event.report) addFile(job, input.event.report, input.event.occurred_at);
      for (const w of input.event.warnings) addWarning(job, w);
      break;
    case "emailSent":
      if (!isTerminal(job.status)) finish(job, "completed", input.event.occurred_at);
      break;
    case "cancelRequested": {
      const ev = input.event;
      // Workers check the job's state before each step, so marking it now stops the pipeline at the next
      // step boundary; a step already running may finish, but its output is ignored (terminal is sticky).
      if (!isTerminal(job.status)) finish(job, "cancelled", ev.occurred_at);
      row = audit(ev, {
        eventType: "cancel.requested",
        eventStatus: "cancelled",
        eventData: ev.reason ? { reason: ev.reason } : null,
      });
      break;
    }
    case "filesDeleted":
      for (const f of input.event.files) removeFile(job, f);
      break;
    case "jobArchived": {
      // Only completed jobs are archived. Carrying the completion instant lets the fold archive the job
      // even when this event replays before the job's own email-sent event (which then changes nothing).
      const ev = input.event;
      if (job.status !== "failed" && job.status !== "cancelled") {
        job.status = "archived";
        job.progress = 100;
        job.completedAt = minIso(job.completedAt, ev.completed_at);
      }
      break;
    }
  }
  // Derived, not accumulated: the start may become known only after the end when topics interleave.
  if (job.completedAt) {
    job.totalDurationMs = Math.max(
      0,
      Date.parse(job.completedAt) - Date.parse(job.startedAt ?? job.createdAt),
    );
  }
  return { job, audit: row };
}

function addWarning(job: JobState, w: { code: string; message: string }): void {
  if (job.warnings.some((x) => x.code === w.code && x.message === w.message)) return;
  job.warnings.push(w);
  job.warnings.sort((a, b) => (a.code + a.message).localeCompare(b.code + b.message));
}

/** Tombstone id of a deleted object of a job: remembered so a replayed, older `addFile` cannot revive it. */
export function fileTombstone(processingId: string, bucket: string, key: string): string {
  return `del_${createHash("sha256").update(`${processingId}\u0000${bucket}/${key}`).digest("hex").slice(0, 40)}`;
}

function removeFile(job: JobState, f: { bucket: string; key: string }): void {
  const gone = job.files.find((x) => x.bucket === f.bucket && x.key === f.key);
  const tomb = fileTombstone(job.processingId, f.bucket, f.key);
  job.deletedFiles = [...new Set([...(job.deletedFiles ?? []), tomb])].sort();
  if (!gone) return;
  job.files = job.files.filter((x) => x !== gone);
  if (gone.url) {
    if (job.transcriptUrl === gone.url) job.transcriptUrl = null;
    if (job.audioUrl === gone.url) job.audioUrl = null;
    if (job.reportUrl === gone.url) job.reportUrl = null;
  }
}

function addFile(job: JobState, f: EventOf<"artifactsStored">["files"][number], at: string): void {
  if (job.deletedFiles?.includes(fileTombstone(job.processingId, f.bucket, f.key))) return;
  const before = job.files.find((x) => x.bucket === f.bucket && x.key === f.key);
  job.files = job.files.filter((x) => x !== before);
  job.files.push({ ...f, seenAt: before ? minIso(before.seenAt, at) : at });
  job.files.sort((a, b) => `${a.bucket}/${a.key}`.localeCompare(`${b.bucket}/${b.key}`));
  if (f.url) {
    if (f.file_type === "transcript" && f.content_type === "application/json") job.transcriptUrl = f.url;
    if (f.file_type === "audio") job.audioUrl = f.url;
    if (f.file_type === "report") job.reportUrl = f.url;
  }
}
