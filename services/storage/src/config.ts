import { optionalSecretsKeySchema, s3ConfigSchema, workerConfigSchema } from "@postprocess/worker";
import { z } from "zod";

/** Storage settings, parsed once in main. */
export const configSchema = workerConfigSchema.extend(s3ConfigSchema.shape).extend({
  // Sent as `xi-api-key` to ElevenLabs' audio endpoint only (never to any other host); unset → no key sent.
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  // Opens the accounts' own ElevenLabs keys (sealed by the gateway); unset = ELEVENLABS_API_KEY for all.
  SECRETS_KEY: optionalSecretsKeySchema,
  // Which audio URLs are ElevenLabs' (matched by host) and so get the key; the fake's URL in tests.
  ELEVENLABS_BASE_URL: z.url().default("https://api.elevenlabs.io"),
  // How long the audio source may stay silent (before its headers or between bytes) before we retry.
  AUDIO_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  // Let audio URLs reach private/loopback addresses (trusted internal media only); off, so events cannot SSRF.
  AUDIO_ALLOW_PRIVATE_NETWORKS: z.stringbool().default(false),
  // Pause before looking again for ElevenLabs webhook audio that has not reached S3 yet (it may follow the
  // transcript). The retry policy bounds the looks (RETRY_ATTEMPTS + RETRY_TOPIC_ATTEMPTS, each pause capped
  // at RETRY_MAX_MS); after the last one the job goes on without audio, warning AUDIO_NOT_RECEIVED.
  WEBHOOK_AUDIO_RETRY_MS: z.coerce.number().int().min(10).default(5000),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return configSchema.parse(env);
}
