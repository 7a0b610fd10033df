import { createHash } from "node:crypto";
import type { EventOf } from "@postprocess/contracts";
import { type HandlerContext, RetriableError } from "@postprocess/kafka";
import {
  ensureBucket,
  type JobStore,
  objectKey,
  presign,
  readTranscript,
  runStep,
  type StepDeps,
  StepError,
  type Transcript,
} from "@postprocess/worker";
import type * as Minio from "minio";
import type { ReportFonts } from "./fonts.ts";
import { missingCharacters, type ReportData, renderReport } from "./render-report.ts";

type Input = EventOf<"summaryGenerated">;
type FileRef = NonNullable<EventOf<"reportGenerated">["report"]>;

/** What the report step needs: Kafka producer and job store (from the worker runtime), S3, fonts. */
export interface ReportDeps {
  producer: StepDeps["producer"];
  jobs: JobStore;
  s3: Minio.Client;
  /** Region new buckets are made in. */
  region: string;
  /** The bucket of accounts that name none. */
  defaultBucket: string;
  fonts: ReportFonts;
  now?: () => Date;
}

export const reportDisabled = {
  code: "REPORT_DISABLED",
  message: "report generation is turned off in the account's settings",
};

/**
 * The `report` step: reads the transcript JSON from S3, renders the PDF, stores it as `report.pdf` under the
 * job's deterministic key (a retry overwrites it) and hands a presigned reference on to the mailer. With
 * `enable_report_generation` off the step is skipped with REPORT_DISABLED and the mailer still runs.
 */
export function createReportHandler(deps: ReportDeps) {
  return async (event: Input, ctx: HandlerContext): Promise<void> => {
    await runStep({
      step: "report",
      input: event,
      ctx,
      deps,
      exhaustedCode: "REPORT_FAILED",
      async work(w) {
        const handOn = (report: FileRef | null, warnings: Input["warnings"]) => ({
          topic: "reportGenerated" as const,
          context: ctx,
          event: {
            ...w.envelope("reportGenerated"),
            report,
            summary_file: event.summary_file,
            warnings,
            settings: w.snapshot,
          },
        });
        if (!w.settings.enableReportGeneration) {
          return {
            emit: [handOn(null, [...event.warnings, reportDisabled])],
            warning: reportDisabled,
            skipped: true,
          };
        }
        if (!event.transcript) {
          throw new StepError("INPUT_INVALID", "summary-generated carries no transcript reference");
        }
        const transcript = await readTranscript(deps.s3, event.transcript, ctx.lastAttempt);
        await w.checkCancelled();

        const data = reportData(event, transcript);
        const pdf = await renderReport(data, deps.fonts).catch((err: unknown) => {
          // The same data would fail the same way again.
          throw new StepError("REPORT_FAILED", `rendering the PDF failed: ${(err as Error).message}`, {
            cause: err,
          });
        });
        const missing = missingCharacters(data, deps.fonts);
        const warning = missing.length
          ? {
              code: "REPORT_FONT_COVERAGE",
              message: `${missing.length} distinct character(s) are in scripts none of the report's fonts cover; the PDF shows them as empty boxes`,
            }
          : undefined;

        const bucket = w.settings.bucketName ?? deps.defaultBucket;
        const key = objectKey(event, "report.pdf");
        await w.checkCancelled();
        try {
          await ensureBucket(deps.s3, bucket, deps.region);
          await deps.s3.putObject(bucket, key, pdf, pdf.length, { "Content-Type": "application/pdf" });
        } catch (err) {
          throw new RetriableError(`storing the report failed: ${(err as Error).message}`, { cause: err });
        }
        const link = await presign(deps.s3, bucket, key, deps.now?.());
        const report: FileRef = {
          file_type: "report",
          file_name: "report.pdf",
          bucket,
          key,
          size: pdf.length,
          sha256: sha256(pdf),
          content_type: "application/pdf",
          url: link.url,
          url_expires_at: link.expiresAt,
        };
        ctx.log.info({ bucket, key, size: pdf.length }, "report stored");
        return {
          emit: [handOn(report, warning ? [...event.warnings, warning] : event.warnings)],
          ...(warning ? { warning } : {}),
        };
      },
    });
  };
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** What the PDF shows: the summary from the event, the call from the transcript. */
export function reportData(event: Input, transcript: Transcript): ReportData {
  const occurred = new Date(event.occurred_at);
  return {
    accountId: event.account_id,
    conversationId: event.conversation_id,
    processingId: event.processing_id,
    agentId: transcript.agent_id,
    startedAt: transcript.started_at,
    durationSecs: transcript.duration_secs,
    summary: event.summary,
    topic: event.topic,
    sentiment: event.sentiment,
    keyPoints: event.key_points,
    actionItems: event.action_items,
    warnings: event.warnings,
    turns: transcript.turns,
    // The summary's time, not the clock: a retried step renders byte-identical PDFs.
    generatedAt: Number.isNaN(occurred.getTime()) ? new Date(0) : occurred,
  };
}
