import { createOrm, createSecretBox } from "@postprocess/db";
import {
  bootstrapTopics,
  createCodec,
  createJsonLogger,
  createKafka,
  installSignalHandlers,
} from "@postprocess/kafka";
import { createGuardedAgents, createOutboundGuard } from "@postprocess/worker";
import { loadConfig } from "./config.ts";
import { startCallbacks } from "./start-callbacks.ts";

// Wiring only: every decision lives in a module with a test.
const config = loadConfig();
const log = createJsonLogger({ level: config.LOG_LEVEL, bindings: { service: "callbacks" } });
const orm = createOrm({ clientUrl: config.DATABASE_URL });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(","), clientId: "callbacks", logger: log });
// Creates the group's retry and dead-letter topics (and any missing catalog topic, as every service does).
await bootstrapTopics(kafka, { topicPrefix: config.TOPIC_PREFIX, group: config.CALLBACKS_GROUP_ID });
const agents = createGuardedAgents(
  createOutboundGuard({ allowPrivateNetworks: config.CALLBACK_ALLOW_PRIVATE_NETWORKS }),
);
const { consumer, loop } = await startCallbacks({
  orm,
  kafka,
  codec: createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL, autoRegister: config.SCHEMA_AUTO_REGISTER }),
  groupId: config.CALLBACKS_GROUP_ID,
  topicPrefix: config.TOPIC_PREFIX,
  publicBaseUrl: config.PUBLIC_BASE_URL,
  secrets: createSecretBox(config.SECRETS_KEY),
  log,
  consumerRetry: {
    attempts: config.RETRY_ATTEMPTS,
    baseMs: config.RETRY_BASE_MS,
    maxMs: config.RETRY_MAX_MS,
    retryTopicAttempts: config.RETRY_TOPIC_ATTEMPTS,
  },
  concurrency: config.WORKER_CONCURRENCY,
  delivery: {
    retry: { scheduleMs: config.CALLBACK_RETRY_SCHEDULE_MS, windowMs: config.CALLBACK_RETRY_WINDOW_MS },
    timeoutMs: config.CALLBACK_TIMEOUT_MS,
    agents,
    pollIntervalMs: config.CALLBACK_POLL_INTERVAL_MS,
    batchSize: config.CALLBACK_BATCH_SIZE,
  },
});
// Consumer first (no new enqueues), then the loop (attempts in flight finish), then sockets and the pool.
installSignalHandlers(
  [
    consumer,
    { stop: () => loop.stop() },
    { disconnect: async () => agents.destroy() },
    { disconnect: () => orm.close() },
  ],
  config.SHUTDOWN_TIMEOUT_MS,
  { logger: log },
);
