import { optionalSecretsKeySchema, workerConfigSchema } from "@postprocess/worker";
import { z } from "zod";

/** Extractor settings, parsed once in main. */
export const configSchema = workerConfigSchema.extend({
  // Authenticates the ElevenLabs API calls (`xi-api-key`); without it `elevenlabs` sources fail clearly.
  ELEVENLABS_API_KEY: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  // Opens the accounts' own ElevenLabs keys (sealed by the gateway); unset = the deployment key for all.
  SECRETS_KEY: optionalSecretsKeySchema,
  // Regional or residency endpoint, or the fake in tests and the demo.
  ELEVENLABS_BASE_URL: z.url().default("https://api.elevenlabs.io"),
  // One HTTP request's budget, body included; a slow answer is retried rather than waited on for ever.
  ELEVENLABS_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  // How long one attempt polls a conversation that is still processing before handing it back for a retry.
  ELEVENLABS_MAX_WAIT_MS: z.coerce.number().int().min(0).default(60_000),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return configSchema.parse(env);
}
