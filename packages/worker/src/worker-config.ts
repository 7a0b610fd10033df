import { parseSecretsKey } from "@postprocess/db";
import { z } from "zod";

/** Settings every worker needs; each service extends this schema with its own keys. */
export const workerConfigSchema = z.object({
  // The projector's database, read to check a job's state and settings before each step.
  DATABASE_URL: z.string().min(1),
  // Bootstrap brokers, comma-separated.
  KAFKA_BROKERS: z.string().min(1),
  // Confluent-compatible registry (…/apis/ccompat/v7 on Apicurio).
  SCHEMA_REGISTRY_URL: z.url(),
  // Prepended to every topic name (isolated environments and end-to-end tests).
  TOPIC_PREFIX: z.string().default(""),
  // Dev only: register a schema the registry lacks (production registers them in deploy).
  SCHEMA_AUTO_REGISTER: z.stringbool().default(false),
  // How long SIGTERM waits for a step in progress before leaving it to the next owner.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // Partitions a replica works on at once (one message at a time per partition keeps each job in order).
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  // Retry policy of the step's consumer (see packages/kafka README): attempts in place, backoff, retry-topic rounds.
  RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  RETRY_BASE_MS: z.coerce.number().int().min(1).default(200),
  RETRY_MAX_MS: z.coerce.number().int().min(1).default(5000),
  RETRY_TOPIC_ATTEMPTS: z.coerce.number().int().min(0).max(20).default(2),
});

/** S3 settings shared by the workers that write artifacts. */
export const s3ConfigSchema = z.object({
  S3_ENDPOINT: z.url(),
  S3_REGION: z.string().default("us-east-1"),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  // The bucket of accounts that name none in their settings.
  S3_BUCKET: z.string().default("postprocess"),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/** SECRETS_KEY for services that seal or must open stored secrets (gateway, callbacks): required. */
export const secretsKeySchema = z.string().transform(secretsKeyOrIssue);

/**
 * SECRETS_KEY for workers that open accounts' sealed ElevenLabs keys (extractor, storage): optional — unset,
 * the deployment's ELEVENLABS_API_KEY serves every account.
 */
export const optionalSecretsKeySchema = z
  .string()
  .optional()
  .transform((v, ctx) => (v ? secretsKeyOrIssue(v, ctx) : undefined));

/** The 32-byte key, or parseSecretsKey's reason as a config issue (so every bad variable is listed at once). */
function secretsKeyOrIssue(encoded: string, ctx: z.RefinementCtx): Buffer {
  try {
    return parseSecretsKey(encoded);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
}
