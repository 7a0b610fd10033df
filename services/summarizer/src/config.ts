import { s3ConfigSchema, workerConfigSchema } from "@postprocess/worker";
import { z } from "zod";

/** An unset variable and an empty one (`OPENAI_API_KEY=` in an env file) both mean "not configured". */
const unsetIfEmpty = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** The summarizer's settings: the worker's and S3's, plus the LLM's. */
export const configSchema = workerConfigSchema.extend(s3ConfigSchema.shape).extend({
  // OpenAI (or compatible) API key; without one the local extractive summarizer runs (the demo default).
  OPENAI_API_KEY: z.preprocess(unsetIfEmpty, z.string().min(1).optional()),
  // Any OpenAI-compatible endpoint (Azure-style proxies, vLLM, Ollama…); the SDK's default when unset.
  OPENAI_BASE_URL: z.preprocess(unsetIfEmpty, z.url().optional()),
  // One request's limit; a timeout is retried by the runtime like a 5xx.
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  // The model's context window (prompt + answer) in tokens; longer transcripts are summarised in chunks.
  SUMMARIZER_CONTEXT_TOKENS: z.coerce.number().int().min(500).default(100_000),
});

/** The parsed configuration. */
export type Config = z.output<typeof configSchema>;

/** Parses the configuration once, in `main`; throws listing every problem (never a value: the key is secret). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid summarizer configuration: ${problems}`);
  }
  return parsed.data;
}
