import { fileTypes, jobStatuses, sentiments, terminalStatuses } from "@postprocess/contracts";

/**
 * The closed vocabularies the migration's CHECK constraints enforce. They live here, next to the entities,
 * so application code gets a compile-time error for a value the database would refuse at runtime.
 * Keep each list in step with its CHECK in `@postprocess/migrations`; `constraints.test.ts` proves they do.
 */

// The vocabularies shared with the event contracts are defined once, there.
export { fileTypes, jobStatuses, sentiments, terminalStatuses };

/** A job status (`valid_status`). */
export type JobStatus = (typeof jobStatuses)[number];

/** A status a job never leaves on its own. */
export type TerminalStatus = (typeof terminalStatuses)[number];

/** True when a job has finished, one way or another, and late events must not move it again. */
export function isTerminalStatus(status: JobStatus): status is TerminalStatus {
  return (terminalStatuses as readonly JobStatus[]).includes(status);
}

/** A summary sentiment. */
export type Sentiment = (typeof sentiments)[number];

/** A kind of stored artifact. */
export type FileType = (typeof fileTypes)[number];

/** The outcomes `processing_audit_log.event_status` accepts (`valid_event_status`; FIX 11 added two). */
export const auditEventStatuses = [
  "started",
  "completed",
  "failed",
  "retried",
  "skipped",
  "cancelled",
] as const;

/** The outcome an audit row records. */
export type AuditEventStatus = (typeof auditEventStatuses)[number];
