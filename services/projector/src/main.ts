import { createOrm, migrate } from "@postprocess/db";
import {
  bootstrapTopics,
  createCodec,
  createJsonLogger,
  createKafka,
  installSignalHandlers,
} from "@postprocess/kafka";
import { loadConfig } from "./config.ts";
import { startProjector } from "./projector.ts";
import { startSweeps } from "./sweeps/start-sweeps.ts";

const config = loadConfig();
const log = createJsonLogger({ level: config.LOG_LEVEL, bindings: { service: "projector" } });
const orm = createOrm({ clientUrl: config.DATABASE_URL });
// The projector owns the job tables, so it brings their schema up to date before folding anything.
await migrate(orm);
const kafka = createKafka({ brokers: config.KAFKA_BROKERS.split(","), clientId: "projector", logger: log });
await bootstrapTopics(kafka, { topicPrefix: config.TOPIC_PREFIX, group: config.PROJECTOR_GROUP_ID });
const projector = await startProjector({
  orm,
  kafka,
  codec: createCodec({ registryUrl: config.SCHEMA_REGISTRY_URL, autoRegister: config.SCHEMA_AUTO_REGISTER }),
  groupId: config.PROJECTOR_GROUP_ID,
  topicPrefix: config.TOPIC_PREFIX,
  maxBatchSize: config.PROJECTOR_MAX_BATCH,
  concurrency: config.PROJECTOR_CONCURRENCY,
  logger: log,
});
const sweeps = startSweeps({
  orm,
  producer: projector.producer,
  timeoutIntervalMs: config.TIMEOUT_SWEEP_INTERVAL_MS,
  retentionIntervalMs: config.RETENTION_SWEEP_INTERVAL_MS,
  policy: {
    auditRetentionDays: config.AUDIT_RETENTION_DAYS,
    defaultFileRetentionDays: config.FILE_RETENTION_DAYS,
    archiveAfterDays: config.ARCHIVE_AFTER_DAYS,
  },
  log,
});
installSignalHandlers(
  [{ stop: () => sweeps.stop() }, projector.consumer, projector.producer, { disconnect: () => orm.close() }],
  config.SHUTDOWN_TIMEOUT_MS,
  { logger: log },
);
