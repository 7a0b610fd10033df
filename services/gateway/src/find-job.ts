import type { EntityManager } from "@mikro-orm/postgresql";
import { jobStatuses } from "@postprocess/contracts";
import type { JobStatus } from "@postprocess/db";
import type { SettingsRow } from "@postprocess/worker";
import { z } from "zod";
import { accountSettings } from "./settings/account-settings.ts";
import { isoOrNull, sqlOn } from "./sql.ts";

const issue = z.object({ code: z.string(), message: z.string() });

/**
 * A job as `GET /status/:id` shows it: the design document's status query, plus error, warnings and the
 * settings it runs with. A schema (not only a type) because the OpenAPI document is generated from it.
 */
export const jobView = z.object({
  processing_id: z.string(),
  conversation_id: z.string(),
  status: z.enum(jobStatuses),
  progress: z.int().min(0).max(100),
  current_step: z.string().nullable(),
  processing_started_at: z.iso.datetime().nullable(),
  processing_completed_at: z.iso.datetime().nullable(),
  total_duration: z.number().nullable().describe("Seconds from start to a terminal status."),
  minio_transcript_url: z.string().nullable(),
  minio_audio_url: z.string().nullable(),
  minio_report_url: z.string().nullable(),
  summary_topic: z.string().nullable(),
  summary_sentiment: z.string().nullable(),
  error: issue.nullable(),
  warnings: z.array(issue),
  settings: accountSettings
    .nullable()
    .describe(
      "The account settings the job runs with, as they were when it was accepted; null until the job is " +
        "projected, or when it was published without them.",
    ),
});

/** One job as the status endpoint answers it. */
export type JobView = z.output<typeof jobView>;

interface JobRow {
  processing_id: string;
  conversation_id: string;
  status: JobStatus;
  progress: number;
  current_step: string | null;
  processing_started_at: string | null;
  processing_completed_at: string | null;
  total_duration_secs: number | null;
  minio_transcript_url: string | null;
  minio_audio_url: string | null;
  minio_report_url: string | null;
  summary_topic: string | null;
  summary_sentiment: string | null;
  error_code: string | null;
  error_message: string | null;
  warnings: { code: string; message: string }[] | null;
  settings: SettingsRow | null;
}

/**
 * One job of one account, or undefined — for another account's job too, so a caller cannot tell "not
 * yours" from "does not exist". A job the gateway accepted but the projector has not written yet is
 * shown as pending at 0 %: right after a 202 the client must never see a 404.
 */
export async function findJob(
  em: EntityManager,
  accountId: string,
  processingId: string,
): Promise<JobView | undefined> {
  const sql = sqlOn(em);
  const [row] = await sql<JobRow>(
    `SELECT processing_id, conversation_id, status, progress, current_step,
            processing_started_at, processing_completed_at,
            EXTRACT(EPOCH FROM total_duration)::float8 AS total_duration_secs,
            minio_transcript_url, minio_audio_url, minio_report_url, summary_topic, summary_sentiment,
            error_code, error_message, warnings, settings
       FROM conversation_processing
      WHERE processing_id = ? AND account_id = ?`,
    [processingId, accountId],
  );
  if (row) return toView(row);
  const [submitted] = await sql<{ conversation_id: string }>(
    "SELECT conversation_id FROM gateway_submissions WHERE processing_id = ? AND account_id = ?",
    [processingId, accountId],
  );
  return submitted ? pendingView(processingId, submitted.conversation_id) : undefined;
}

function toView(row: JobRow): JobView {
  const failed = row.error_code !== null || row.error_message !== null;
  return {
    processing_id: row.processing_id,
    conversation_id: row.conversation_id,
    status: row.status,
    progress: row.progress,
    current_step: row.current_step,
    processing_started_at: isoOrNull(row.processing_started_at),
    processing_completed_at: isoOrNull(row.processing_completed_at),
    total_duration: row.total_duration_secs,
    minio_transcript_url: row.minio_transcript_url,
    minio_audio_url: row.minio_audio_url,
    minio_report_url: row.minio_report_url,
    summary_topic: row.summary_topic,
    summary_sentiment: row.summary_sentiment,
    error: failed ? { code: row.error_code ?? "UNKNOWN", message: row.error_message ?? "" } : null,
    warnings: row.warnings ?? [],
    settings: row.settings,
  };
}

function pendingView(processingId: string, conversationId: string): JobView {
  return {
    processing_id: processingId,
    conversation_id: conversationId,
    status: "pending",
    progress: 0,
    current_step: null,
    processing_started_at: null,
    processing_completed_at: null,
    total_duration: null,
    minio_transcript_url: null,
    minio_audio_url: null,
    minio_report_url: null,
    summary_topic: null,
    summary_sentiment: null,
    error: null,
    warnings: [],
    settings: null,
  };
}
