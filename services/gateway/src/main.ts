import { serve } from "@hono/node-server";
import { createOrm, createSecretBox } from "@postprocess/db";
import {
  createCodec,
  createJsonLogger,
  createKafka,
  createProducer,
  installSignalHandlers,
  runEvery,
} from "@postprocess/kafka";
import { s3FromConfig } from "@postprocess/worker";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { reconcileDepsFromConfig } from "./reconcile/from-config.ts";
import { sweepReconcile } from "./reconcile/sweep.ts";

// Wiring only: every decision lives in a module with a test.
const config = loadConfig();
const log = createJsonLogger({ bindings: { service: "gateway" } });
const orm = createOrm({ clientUrl: config.DATABASE_URL });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: "gateway", logger: log });
const codec = createCodec({
  registryUrl: config.SCHEMA_REGISTRY_URL,
  autoRegister: config.SCHEMA_AUTO_REGISTER,
});
const producer = createProducer(kafka, codec, { topicPrefix: config.TOPIC_PREFIX });
await producer.connect();

const app = createApp({
  orm,
  log,
  publicBaseUrl: config.PUBLIC_BASE_URL,
  bodyLimitBytes: config.BODY_LIMIT_BYTES,
  webhookLimits: { jsonBytes: config.WEBHOOK_JSON_LIMIT_BYTES, audioBytes: config.WEBHOOK_AUDIO_LIMIT_BYTES },
  secrets: createSecretBox(config.SECRETS_KEY),
  adminKeySha256: config.ADMIN_KEY_SHA256,
  callbackAllowHttp: config.CALLBACK_ALLOW_HTTP,
  corsOrigins: config.CORS_ORIGINS,
  downloadUrlExpirySeconds: config.DOWNLOAD_URL_EXPIRY_SECONDS,
  s3: { client: s3FromConfig(config), defaultBucket: config.S3_BUCKET },
  // `send` resolves once the broker acked with acks=all: only then may the gateway answer 202.
  publish: async (topic, event) => {
    await producer.send(topic, event);
  },
});
const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) =>
  log.info({ host: info.address, port: info.port }, "gateway listening"),
);
// Missed-webhook reconciliation: every replica schedules it, one at a time runs it (an advisory lock).
const reconcileDeps = reconcileDepsFromConfig(config, {
  orm,
  log,
  secrets: createSecretBox(config.SECRETS_KEY),
  publish: async (topic, event) => {
    await producer.send(topic, event);
  },
});
// RECONCILE_INTERVAL_MS 0 schedules nothing; `stop` ends a sweep between pages, where it stored its progress.
const reconciler = runEvery(
  "reconciliation sweep",
  config.RECONCILE_INTERVAL_MS,
  (signal) => sweepReconcile({ ...reconcileDeps, signal }),
  log,
);

// On SIGTERM/SIGINT, in reverse order of start: end the sweep (it may be publishing), stop accepting
// requests and let in-flight ones finish (they may still publish), then disconnect the producer, then close
// the database pool.
installSignalHandlers(
  [
    reconciler,
    {
      disconnect: () =>
        new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
    },
    producer,
    { disconnect: () => orm.close() },
  ],
  10_000,
  { logger: log },
);
