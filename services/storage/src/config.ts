import { s3ConfigSchema, workerConfigSchema } from "@postprocess/worker";
import { z } from "zod";

/** Storage settings, parsed once in main. */
export const configSchema = workerConfigSchema.extend(s3ConfigSchema.shape).extend({
  // Sent as `xi-api-key` to ElevenLabs' audio endpoint only (never to any other host); unset → no key sent.
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  // Which audio URLs are ElevenLabs' (matched by host) and so get the key; the fake's URL in tests.
  ELEVENLABS_BASE_URL: z.url().default("https://api.elevenlabs.io"),
  // How long the audio source may stay silent (before its headers or between bytes) before we retry.
  AUDIO_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  // Let audio URLs reach private/loopback addresses (trusted internal media only); off, so events cannot SSRF.
  AUDIO_ALLOW_PRIVATE_NETWORKS: z.stringbool().default(false),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return configSchema.parse(env);
}
