import { z } from "zod";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");

/** Projector settings, parsed once in main. */
export const configSchema = z.object({
  // The database whose job tables the projector owns (and migrates on start).
  DATABASE_URL: z.string().min(1),
  // Bootstrap brokers, comma-separated.
  KAFKA_BROKERS: z.string().min(1),
  // Confluent-compatible registry (…/apis/ccompat/v7 on Apicurio).
  SCHEMA_REGISTRY_URL: z.url(),
  // Consumer group: all replicas share it and split the partitions.
  PROJECTOR_GROUP_ID: z.string().default("projector"),
  // Prepended to every topic name (isolated environments and tests).
  TOPIC_PREFIX: z.string().default(""),
  // Dev only: let the producer register schemas it does not find (production registers them in deploy).
  SCHEMA_AUTO_REGISTER: bool.default(false),
  // Largest chunk of a Kafka batch folded in one transaction.
  PROJECTOR_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(1000),
  // Partitions read at once by one replica; their chunks are folded together in one transaction (group
  // commit), so this should cover every partition a replica owns (10 topics × 6 partitions).
  PROJECTOR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(64),
  // How long SIGTERM waits for in-flight batches before leaving them to the next owner.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
  // How often the timeout sweep fails jobs past their account's processing_timeout_minutes.
  TIMEOUT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  // How often the retention sweep purges audit rows, expires files and archives old jobs.
  RETENTION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  // Audit rows older than this are deleted (the seed's policy).
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  // File retention for accounts without settings (accounts set file_retention_days).
  FILE_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  // Completed jobs older than this become archived.
  ARCHIVE_AFTER_DAYS: z.coerce.number().int().min(1).default(365),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return configSchema.parse(env);
}
