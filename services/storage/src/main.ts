import { s3FromConfig, startWorker } from "@postprocess/worker";
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
    }),
    filesExpired: createFilesExpiredHandler({ s3, producer: rt.producer }),
  }),
});
