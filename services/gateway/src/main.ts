import { serve } from "@hono/node-server";
import { createOrm, createSecretBox } from "@postprocess/db";
import {
  createCodec,
  createJsonLogger,
  createKafka,
  createProducer,
  installSignalHandlers,
} from "@postprocess/kafka";
import { s3FromConfig } from "@postprocess/worker";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";

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
  secrets: createSecretBox(config.SECRETS_KEY),
  s3: { client: s3FromConfig(config), defaultBucket: config.S3_BUCKET },
  // `send` resolves once the broker acked with acks=all: only then may the gateway answer 202.
  publish: async (topic, event) => {
    await producer.send(topic, event);
  },
});
const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) =>
  log.info({ host: info.address, port: info.port }, "gateway listening"),
);

// On SIGTERM/SIGINT, in reverse order of start: stop accepting requests and let in-flight ones finish
// (they may still publish), then disconnect the producer, then close the database pool.
installSignalHandlers(
  [
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
