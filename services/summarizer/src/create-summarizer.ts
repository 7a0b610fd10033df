import type { Config } from "./config.ts";
import { createLocalSummarizer } from "./local/local-summarizer.ts";
import { createOpenAIClient, createOpenAISummarizer } from "./openai/openai-summarizer.ts";
import type { Summarizer } from "./summarizer.ts";

/** OpenAI when a key is configured, else the local extractive summarizer. */
export function createSummarizer(
  config: Pick<
    Config,
    "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "OPENAI_TIMEOUT_MS" | "SUMMARIZER_CONTEXT_TOKENS"
  >,
): { summarizer: Summarizer; kind: "openai" | "local" } {
  if (!config.OPENAI_API_KEY) return { summarizer: createLocalSummarizer(), kind: "local" };
  const client = createOpenAIClient({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    timeoutMs: config.OPENAI_TIMEOUT_MS,
  });
  return {
    summarizer: createOpenAISummarizer({
      client,
      contextTokens: config.SUMMARIZER_CONTEXT_TOKENS,
      timeoutMs: config.OPENAI_TIMEOUT_MS,
    }),
    kind: "openai",
  };
}
