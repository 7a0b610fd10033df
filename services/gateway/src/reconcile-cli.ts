/**
 * One missed-webhook reconciliation sweep from the command line, with the gateway's variables:
 *
 *   node services/gateway/src/reconcile-cli.ts --dry-run   # what it would start; starts and stores nothing
 *   node services/gateway/src/reconcile-cli.ts             # a real sweep (skipped if a replica is running one)
 *
 * Prints one JSON document: per account, the outcome, the conversations started (or that would be) and the
 * high-water mark. Ids and counts only: no key, no conversation content.
 */
import { createOrm, createSecretBox } from "@postprocess/db";
import { createCodec, createJsonLogger, createKafka, createProducer, silentLogger } from "@postprocess/kafka";
import { loadConfig } from "./config.ts";
import type { Publish } from "./deps.ts";
import { reconcileDepsFromConfig } from "./reconcile/from-config.ts";
import { sweepReconcile } from "./reconcile/sweep.ts";

const dryRun = process.argv.includes("--dry-run");
const config = loadConfig();
// Logs go to stderr (the logger's default): stdout carries the report.
const log = createJsonLogger({ bindings: { service: "reconcile-cli" } });
const orm = createOrm({ clientUrl: config.DATABASE_URL });
let producer: ReturnType<typeof createProducer> | undefined;
try {
  const publish: Publish = async (topic, event) => {
    if (!producer) {
      const kafka = createKafka({
        brokers: config.KAFKA_BROKERS,
        clientId: "reconcile-cli",
        logger: silentLogger,
      });
      const codec = createCodec({
        registryUrl: config.SCHEMA_REGISTRY_URL,
        autoRegister: config.SCHEMA_AUTO_REGISTER,
      });
      producer = createProducer(kafka, codec, { topicPrefix: config.TOPIC_PREFIX });
      await producer.connect();
    }
    await producer.send(topic, event);
  };
  const deps = reconcileDepsFromConfig(config, {
    orm,
    log,
    publish,
    secrets: createSecretBox(config.SECRETS_KEY),
  });
  const report = await sweepReconcile({ ...deps, dryRun });
  process.stdout.write(`${JSON.stringify({ dryRun, ...report }, null, 2)}\n`);
} finally {
  await producer?.disconnect();
  await orm.close();
}
