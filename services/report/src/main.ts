import { s3FromConfig, startWorker } from "@postprocess/worker";
import { loadConfig } from "./config.ts";
import { loadReportFonts } from "./fonts.ts";
import { createReportHandler } from "./handle-summary-generated.ts";

const config = loadConfig();
const s3 = s3FromConfig(config);
// Parsed once, before the first message: a bad font path fails the start, not every job.
const fonts = await loadReportFonts({ regular: config.REPORT_FONT_PATH, bold: config.REPORT_BOLD_FONT_PATH });
await startWorker({
  name: "report",
  config,
  handlers: (rt) => ({
    summaryGenerated: createReportHandler({
      producer: rt.producer,
      jobs: rt.jobs,
      s3,
      region: config.S3_REGION,
      defaultBucket: config.S3_BUCKET,
      fonts,
    }),
  }),
});
