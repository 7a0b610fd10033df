import { parseSecretsKey } from "@postprocess/db";
import { s3ConfigSchema } from "@postprocess/worker";
import { z } from "zod";

const schema = s3ConfigSchema.extend({
  // Port the HTTP server listens on (18090: clear of the stack's ports and the machine's usual services).
  PORT: z.coerce.number().int().min(1).max(65_535).default(18090),
  // Interface to bind; loopback by default so a dev run is not exposed to the network.
  HOST: z.string().min(1).default("127.0.0.1"),
  // PostgreSQL: job state written by the projector, and the gateway's own submissions table.
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"),
  // Kafka bootstrap brokers, comma-separated; the gateway publishes conversation.ended and cancel requests.
  KAFKA_BROKERS: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1, "at least one broker")),
  // Prepended to every topic name (isolated environments and end-to-end tests share one broker).
  TOPIC_PREFIX: z.string().default(""),
  // Confluent-compatible schema registry the Avro encoder looks schema ids up in.
  SCHEMA_REGISTRY_URL: z.url(),
  // How clients reach this service (behind a proxy it differs from HOST:PORT); status URLs are built on it.
  PUBLIC_BASE_URL: z.url().optional(),
  // Largest request body accepted before 413; 256 KiB fits a long inline transcript.
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  // Dev only: register a missing schema subject on first publish. In production CI registers schemas.
  SCHEMA_AUTO_REGISTER: z.stringbool().default(false),
  // Seals stored secrets (webhook/callback signing secrets, ElevenLabs keys): 32 bytes, base64.
  SECRETS_KEY: z.string().transform((s, ctx) => {
    try {
      return parseSecretsKey(s);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  }),
});

/** The gateway's configuration. */
export type Config = Omit<z.output<typeof schema>, "PUBLIC_BASE_URL"> & { PUBLIC_BASE_URL: string };

/**
 * Parses the configuration once, in `main`; throws with every problem listed when it is invalid.
 * PUBLIC_BASE_URL defaults to the listening address, which is right for a local run.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid gateway configuration: ${problems}`);
  }
  const config = parsed.data;
  return { ...config, PUBLIC_BASE_URL: config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}` };
}
