/**
 * One retention pass from the command line: `node services/projector/src/sweeps/retention-cli.ts --dry-run`
 * prints what would go (audit row count, expired files per job, jobs to archive) and changes nothing;
 * without the flag it purges and publishes like the scheduled sweep. Reads the projector's variables.
 */
import { createOrm } from "@postprocess/db";
import { createCodec, createKafka, createProducer, silentLogger } from "@postprocess/kafka";
import { loadConfig } from "../config.ts";
import { sweepRetention } from "./retention-sweep.ts";

const dryRun = process.argv.includes("--dry-run");
const config = loadConfig();
const orm = createOrm({ clientUrl: config.DATABASE_URL });
const policy = {
  auditRetentionDays: config.AUDIT_RETENTION_DAYS,
  defaultFileRetentionDays: config.FILE_RETENTION_DAYS,
  archiveAfterDays: config.ARCHIVE_AFTER_DAYS,
};
try {
  if (dryRun) {
    print(await sweepRetention({ orm, policy, dryRun }));
  } else {
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS.split(","),
      clientId: "retention-cli",
      logger: silentLogger,
    });
    const codec = createCodec({
      registryUrl: config.SCHEMA_REGISTRY_URL,
      autoRegister: config.SCHEMA_AUTO_REGISTER,
    });
    const producer = createProducer(kafka, codec, { topicPrefix: config.TOPIC_PREFIX });
    await producer.connect();
    try {
      print(await sweepRetention({ orm, policy, producer }));
    } finally {
      await producer.disconnect();
    }
  }
} finally {
  await orm.close();
}

/** Ids and object paths only: nothing of a conversation's content. */
function print(plan: Awaited<ReturnType<typeof sweepRetention>>): void {
  const out = {
    dryRun: plan.dryRun,
    auditRows: plan.auditRows,
    filesExpired: plan.filesExpired.map((e) => ({
      processing_id: e.processing_id,
      files: e.files.map((f) => `${f.file_type} ${f.bucket}/${f.key}`),
    })),
    archived: plan.archived.map((e) => e.processing_id),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
