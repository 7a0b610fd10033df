import { adminOperations } from "../routes/admin.ts";
import { apiKeysOperations } from "../routes/api-keys.ts";
import { callbackDeliveriesOperations } from "../routes/callback-deliveries.ts";
import { callbackEndpointOperations } from "../routes/callback-endpoint.ts";
import { docsOperations } from "../routes/docs.ts";
import { elevenLabsIntegrationOperations } from "../routes/elevenlabs-integration.ts";
import { getFailedOperation } from "../routes/get-failed.ts";
import { getFileOperation } from "../routes/get-file.ts";
import { getHistoryOperation } from "../routes/get-history.ts";
import { getStatsOperation } from "../routes/get-stats.ts";
import { getStatusOperation } from "../routes/get-status.ts";
import { healthOperations } from "../routes/health.ts";
import { postCancelOperation } from "../routes/post-cancel.ts";
import { postConversationOperation } from "../routes/post-conversation.ts";
import { postElevenLabsWebhookOperation } from "../routes/post-elevenlabs-webhook.ts";
import { settingsOperations } from "../routes/settings.ts";
import type { Operation } from "./operation.ts";

/**
 * Every route's description, in the order the docs list them. A new route exports its `Operation` (built
 * from the zod schemas it validates with) and adds it here; `operations.test.ts` fails for an /api route
 * that has none.
 */
export const operations: readonly Operation[] = [
  postConversationOperation,
  getStatusOperation,
  getHistoryOperation,
  getFailedOperation,
  getStatsOperation,
  postCancelOperation,
  getFileOperation,
  ...settingsOperations,
  ...apiKeysOperations,
  ...elevenLabsIntegrationOperations,
  postElevenLabsWebhookOperation,
  ...callbackEndpointOperations,
  ...callbackDeliveriesOperations,
  ...adminOperations,
  ...healthOperations,
  ...docsOperations,
];
