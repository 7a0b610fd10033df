/** @postprocess/db: the MikroORM entities of the Postprocess schema and the ORM factory that maps them. */

export { Account } from "./entities/account.ts";
export { AccountSettings } from "./entities/account-settings.ts";
export { ApiKey, apiKeyEnvironments } from "./entities/api-key.ts";
export { ApiRateLimit } from "./entities/api-rate-limit.ts";
export { ApiUsageMetric } from "./entities/api-usage-metric.ts";
export {
  CallbackDelivery,
  callbackDeliveryStatuses,
  callbackEventTypes,
} from "./entities/callback-delivery.ts";
export { CallbackDeliveryAttempt } from "./entities/callback-delivery-attempt.ts";
export { CallbackEndpoint } from "./entities/callback-endpoint.ts";
export { ConversationFile } from "./entities/conversation-file.ts";
export {
  ConversationProcessing,
  type GroundedItem,
  type ProcessingWarning,
} from "./entities/conversation-processing.ts";
export { ElevenLabsIntegration } from "./entities/elevenlabs-integration.ts";
export {
  ElevenLabsWebhookReceipt,
  elevenLabsWebhookTypes,
} from "./entities/elevenlabs-webhook-receipt.ts";
export { EmailDelivery, emailDeliveryStatuses } from "./entities/email-delivery.ts";
export { GatewaySubmission } from "./entities/gateway-submission.ts";
export { ProcessedEvent } from "./entities/processed-event.ts";
export { ProcessingAuditLog } from "./entities/processing-audit-log.ts";
export { eventTimeSession } from "./event-time.ts";
export { IntervalMsType, parseIntervalMs } from "./interval-ms.ts";
export { createOrm, entities, migrate, type OrmOptions } from "./orm.ts";
export {
  inTransaction,
  positional,
  type Query,
  queryPrepared,
  type Statement,
  statement,
} from "./prepared.ts";
export {
  isProcessingId,
  newProcessingId,
  type ProcessingId,
  processingIdFromEvent,
  processingIdPattern,
} from "./processing-id.ts";
export { createSecretBox, parseSecretsKey, type SecretBox } from "./secrets.ts";
export {
  type AuditEventStatus,
  auditEventStatuses,
  type FileType,
  fileTypes,
  isTerminalStatus,
  type JobStatus,
  jobStatuses,
  type Sentiment,
  sentiments,
  type TerminalStatus,
  terminalStatuses,
} from "./status.ts";
