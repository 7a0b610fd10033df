import { s3FromConfig, startWorker } from "@postprocess/worker";
import { loadConfig } from "./config.ts";
import { createSummarizer } from "./create-summarizer.ts";
import { createSummarizerHandler } from "./handle-artifacts-stored.ts";

const config = loadConfig();
const s3 = s3FromConfig(config);
const { summarizer, kind } = createSummarizer(config);
const rt = await startWorker({
  name: "summarizer",
  config,
  // LLM calls take long; the runtime heartbeats while a handler runs, and this bounds a lost member.
  sessionTimeout: 60_000,
  handlers: (rt) => ({
    artifactsStored: createSummarizerHandler({
      producer: rt.producer,
      jobs: rt.jobs,
      s3,
      s3Region: config.S3_REGION,
      defaultBucket: config.S3_BUCKET,
      summarizer,
    }),
  }),
});
rt.log.info({ summarizer: kind }, "summarizer started");
