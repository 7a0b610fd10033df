import { NonRetriableError } from "@postprocess/kafka";

/**
 * Why a step failed for good, as the job's `error.code` shows it. A closed list: clients and the report
 * switch on it, so a new failure gets a new code here, not a free-form string somewhere.
 */
export const stepErrorCodes = [
  "ELEVENLABS_NOT_FOUND",
  "ELEVENLABS_CONVERSATION_FAILED",
  "ELEVENLABS_NOT_READY",
  "ELEVENLABS_UNAUTHORIZED",
  "UPSTREAM_UNAVAILABLE",
  "AUDIO_UNAVAILABLE",
  "FILE_TOO_LARGE",
  "STORAGE_FAILED",
  "SUMMARY_REFUSED",
  "SUMMARY_INVALID",
  "LLM_UNAVAILABLE",
  "REPORT_FAILED",
  "SMTP_REJECTED",
  "EMAIL_FAILED",
  "INPUT_INVALID",
  "TIMEOUT",
  "INTERNAL",
] as const;

export type StepErrorCode = (typeof stepErrorCodes)[number];

/** A failure retrying cannot fix; the step fails the job with `code` and this message. */
export class StepError extends NonRetriableError {
  override name = "StepError";
  readonly code: StepErrorCode;
  constructor(code: StepErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The job was cancelled while the step ran: stop, publish nothing but the cancellation. */
export class JobCancelledError extends Error {
  override name = "JobCancelledError";
}

/** The code a failure shows on the job: its own, or the one that fits a retriable error that ran out. */
export function codeOf(err: unknown, fallback: StepErrorCode): StepErrorCode {
  return err instanceof StepError ? err.code : fallback;
}
