/** What every pipeline worker shares: the step lifecycle, the job's state and settings, S3, error codes. */
// Re-exported: workers import everything step-related from here.
export { derivedEventId } from "@postprocess/contracts";
export { createElevenLabsKeys, type ElevenLabsKeys } from "./elevenlabs/account-keys.ts";
export {
  conversationSchema,
  conversationStatuses,
  type ElevenLabsConversation,
  type ElevenLabsTranscriptItem,
  transcriptItemSchema,
} from "./elevenlabs/conversation-schema.ts";
export {
  normalizeElevenLabsTranscript,
  normalizeInlineTranscript,
  type Turn,
} from "./elevenlabs/normalize-transcript.ts";
export { createJobStore, type JobStore, type JobView } from "./job-store.ts";
// Outbound requests to untrusted URLs (audio URLs, customer callbacks): SSRF and DNS-rebinding guard.
export { isPrivateAddress } from "./outbound/address-ranges.ts";
export { fetchFailureReason } from "./outbound/fetch-failure.ts";
export {
  BlockedAddressError,
  createGuardedAgents,
  createOutboundGuard,
  type GuardedAgents,
  isBlockedAddressError,
  type OutboundGuard,
  type OutboundPolicy,
} from "./outbound/public-address.ts";
export { type OutboundRequest, sendRequest } from "./outbound/send-request.ts";
export { type Envelope, runStep, type StepDeps, type StepOutcome, type StepWork } from "./run-step.ts";
export {
  createS3,
  ensureBucket,
  objectKey,
  parseS3Url,
  presign,
  type S3Settings,
  s3FromConfig,
  s3Url,
  urlExpirySeconds,
  webhookAudioKey,
} from "./s3.ts";
export { type FileRef, readObject, readTranscript, s3Failure } from "./s3-read.ts";
export {
  defaultSettings,
  type JobSettings,
  type SettingsRow,
  settingsFromRow,
  settingsFromSnapshot,
  settingsToRow,
} from "./settings.ts";
export { startWorker, type WorkerRuntime } from "./start-worker.ts";
export { codeOf, JobCancelledError, StepError, type StepErrorCode, stepErrorCodes } from "./step-error.ts";
export {
  FileTooLargeError,
  Meter,
  partSizeBytes,
  S3UploadError,
  SourceIdleError,
  uploadStream,
} from "./stream-upload.ts";
export {
  checkPlaceholders,
  isTemplateVariable,
  placeholderPattern,
  type TemplateVariable,
  templateVariables,
  unknownPlaceholderMessage,
} from "./template-placeholders.ts";
export { clock, renderTranscriptText, type Transcript, transcriptSchema } from "./transcript.ts";
export {
  optionalSecretsKeySchema,
  s3ConfigSchema,
  secretsKeySchema,
  type WorkerConfig,
  workerConfigSchema,
} from "./worker-config.ts";
