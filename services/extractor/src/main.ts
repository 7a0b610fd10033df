import { createSecretBox } from "@postprocess/db";
import { createElevenLabsKeys, startWorker } from "@postprocess/worker";
import { loadConfig } from "./config.ts";
import { createElevenLabsClient } from "./elevenlabs-client.ts";
import { createExtractorHandler } from "./handle-conversation-ended.ts";

const config = loadConfig();
const elevenlabs = createElevenLabsClient({
  baseUrl: config.ELEVENLABS_BASE_URL,
  apiKey: config.ELEVENLABS_API_KEY,
  timeoutMs: config.ELEVENLABS_TIMEOUT_MS,
});
const rt = await startWorker({
  name: "extractor",
  config,
  handlers: (rt) => ({
    conversationEnded: createExtractorHandler({
      producer: rt.producer,
      jobs: rt.jobs,
      elevenlabs,
      elevenlabsKeys: createElevenLabsKeys({
        orm: rt.orm,
        secrets: config.SECRETS_KEY ? createSecretBox(config.SECRETS_KEY) : undefined,
        fallback: config.ELEVENLABS_API_KEY,
      }),
      maxWaitMs: config.ELEVENLABS_MAX_WAIT_MS,
    }),
  }),
});
rt.log.info(
  {
    elevenlabs: config.ELEVENLABS_BASE_URL,
    apiKey: config.ELEVENLABS_API_KEY ? "set" : "missing",
    accountKeys: config.SECRETS_KEY ? "on" : "off (no SECRETS_KEY)",
  },
  "extractor started",
);
