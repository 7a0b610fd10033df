import { createSecretBox } from "@postprocess/db";
import { createElevenLabsKeys, s3FromConfig, startWorker } from "@postprocess/worker";
import { loadConfig } from "./config.ts";
import { createFilesExpiredHandler } from "./handle-files-expired.ts";
import { createStorageHandler } from "./handle-transcript-extracted.ts";

const config = loadConfig();
const s3 = s3FromConfig(config);
await startWorker({
  name: "storage",
  config,
  handlers: (rt) => ({
    transcriptExtracted: createStorageHandler({
      producer: rt.producer,
      jobs: rt.jobs,
      s3,
      region: config.S3_REGION,
      defaultBucket: config.S3_BUCKET,
      audio: {
        elevenLabsBaseUrl: config.ELEVENLABS_BASE_URL,
        elevenLabsApiKey: config.ELEVENLABS_API_KEY,
        timeoutMs: config.AUDIO_FETCH_TIMEOUT_MS,
        allowPrivateNetworks: config.AUDIO_ALLOW_PRIVATE_NETWORKS,
      },
      elevenlabsKeys: createElevenLabsKeys({
        orm: rt.orm,
        secrets: config.SECRETS_KEY ? createSecretBox(config.SECRETS_KEY) : undefined,
        fallback: config.ELEVENLABS_API_KEY,
      }),
      webhookAudioRetryMs: config.WEBHOOK_AUDIO_RETRY_MS,
    }),
    filesExpired: createFilesExpiredHandler({ s3, producer: rt.producer }),
  }),
});
