import { s3ConfigSchema, secretsKeySchema } from "@postprocess/worker";
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
  // ElevenLabs webhooks, streamed (never held whole) under their own limits instead of BODY_LIMIT_BYTES:
  // the body without its recording (a transcription webhook is all of it: a long call's JSON with tool
  // calls runs to a few MB)…
  WEBHOOK_JSON_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  // …and the audio webhook's recording, decoded (128 kbit/s MP3 is ~1 MB a minute: 250 MiB ≈ 4 hours).
  WEBHOOK_AUDIO_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .max(2 * 1024 * 1024 * 1024)
    .default(250 * 1024 * 1024),
  // Dev only: register a missing schema subject on first publish. In production CI registers schemas.
  SCHEMA_AUTO_REGISTER: z.stringbool().default(false),
  // Browser origins (comma-separated, e.g. https://app.example.com) that may call the API. Empty: no CORS
  // headers at all, so no browser page of another origin can read an answer.
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().refine(isOrigin, "each must be an origin: http(s)://host[:port], no path"))),
  // Lifetime of the links of GET /api/v1/postprocess/:id/files/:type: short, since anyone holding one can
  // download; the client asks again for a fresh one. 15 minutes.
  DOWNLOAD_URL_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(3600).default(900),
  // SHA-256 (hex) of the operator's admin key (`admin-cli admin-key` mints one); unset = no admin API.
  ADMIN_KEY_SHA256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be a lower-case hex SHA-256")
    .optional(),
  // Dev/tests only: let accounts register plain-http callback URLs (a local receiver); https otherwise.
  CALLBACK_ALLOW_HTTP: z.stringbool().default(false),
  // Missed-webhook reconciliation: how often this replica tries to run the sweep (one replica at a time
  // runs it); 0 turns it off. ElevenLabs does not promise to retry a webhook, so this is the backstop.
  RECONCILE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 60_000),
  // The ElevenLabs API the sweep lists conversations from (a residency host, or a fake in tests); the
  // accounts' ElevenLabs keys are sent to this host and no other.
  ELEVENLABS_BASE_URL: z.url().default("https://api.elevenlabs.io"),
  // A call that ended less than this ago is left alone: its webhook may still be on its way.
  RECONCILE_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60_000),
  // Each run lists again this much before the account's high-water mark, for calls ElevenLabs lists late.
  RECONCILE_OVERLAP_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(60 * 60_000),
  // How far back an account's first run looks (it has no high-water mark yet).
  RECONCILE_LOOKBACK_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .default(24 * 3_600_000),
  // List requests (100 conversations each) per account and run; a larger backlog resumes in the next run.
  RECONCILE_MAX_PAGES: z.coerce.number().int().min(1).max(1000).default(20),
  // Seals stored secrets (webhook/callback signing secrets, ElevenLabs keys): 32 bytes, base64.
  SECRETS_KEY: secretsKeySchema,
});

/** True for `scheme://host[:port]` exactly as a browser sends it in `Origin` (no path, no trailing slash). */
function isOrigin(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === s;
  } catch {
    return false;
  }
}

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
