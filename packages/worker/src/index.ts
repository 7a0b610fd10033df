/** What every pipeline worker shares: the step lifecycle, the job's state and settings, S3, error codes. */
// Re-exported: workers import everything step-related from here.
export { derivedEventId } from "@postprocess/contracts";
export { createJobStore, type JobStore, type JobView } from "./job-store.ts";
export { type Envelope, runStep, type StepDeps, type StepOutcome, type StepWork } from "./run-step.ts";
export {
  createS3,
  ensureBucket,
  objectKey,
  presign,
  type S3Settings,
  s3FromConfig,
  urlExpirySeconds,
} from "./s3.ts";
export { type FileRef, readObject, readTranscript, s3Failure } from "./s3-read.ts";
export { defaultSettings, type JobSettings } from "./settings.ts";
export { startWorker, type WorkerRuntime } from "./start-worker.ts";
export { codeOf, JobCancelledError, StepError, type StepErrorCode, stepErrorCodes } from "./step-error.ts";
export { clock, renderTranscriptText, type Transcript, transcriptSchema } from "./transcript.ts";
export { s3ConfigSchema, type WorkerConfig, workerConfigSchema } from "./worker-config.ts";
