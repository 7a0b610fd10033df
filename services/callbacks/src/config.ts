import { secretsKeySchema, workerConfigSchema } from "@postprocess/worker";
import { z } from "zod";

const minute = 60_000;
const hour = 60 * minute;

/** Standard Webhooks' (Svix's) schedule after the first, immediate attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h. */
export const defaultRetryScheduleMs = [5_000, 5 * minute, 30 * minute, 2 * hour, 5 * hour, 10 * hour];

/** A comma-separated list of delays in milliseconds (`5000,300000`), at least one, each ≥ 0. */
const msList = z
  .string()
  .transform((s) => s.split(",").map((p) => (p.trim() === "" ? Number.NaN : Number(p))))
  .pipe(z.array(z.number().int().min(0)).min(1));

/** The callbacks service's settings: the worker's (database, Kafka, registry, consumer retries) and its own. */
export const configSchema = workerConfigSchema.extend({
  // The consumer group of processing.status; replicas share it (the delivery loop needs no group).
  CALLBACKS_GROUP_ID: z.string().min(1).default("callbacks"),
  // Opens the sealed callback secrets the gateway stored (the same 32-byte base64 key as the gateway's).
  SECRETS_KEY: secretsKeySchema,
  // Where clients reach the gateway: the payload's `links.status` is built on it.
  PUBLIC_BASE_URL: z.url().default("http://127.0.0.1:18090"),
  // Delays between failed attempts; the last one repeats. Tests shorten it to milliseconds.
  CALLBACK_RETRY_SCHEDULE_MS: msList.default(defaultRetryScheduleMs),
  // A delivery is retried until this long after it was created, then marked failed (a day by default).
  CALLBACK_RETRY_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(24 * hour),
  // One POST may take this long (connect to last byte) before it counts as a failed attempt.
  CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // How often the delivery loop looks for due deliveries when the last look found none.
  CALLBACK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1_000),
  // Deliveries one replica claims (and posts concurrently) per round.
  CALLBACK_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  // Dev/tests only: allow loopback, private and link-local destinations (otherwise refused: SSRF).
  CALLBACK_ALLOW_PRIVATE_NETWORKS: z.stringbool().default(false),
});

export type Config = z.infer<typeof configSchema>;

/** Parses the configuration once, in main; throws listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid callbacks configuration: ${problems}`);
  }
  return parsed.data;
}
