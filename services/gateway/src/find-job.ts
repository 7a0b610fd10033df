import type { EntityManager } from "@mikro-orm/postgresql";
import type { JobStatus } from "@postprocess/db";
import { isoOrNull, sqlOn } from "./sql.ts";

/** A job as `GET /status/:id` shows it: the design document's status query, plus error and warnings. */
export interface JobView {
  processing_id: string;
  conversation_id: string;
  status: JobStatus;
  progress: number;
  current_step: string | null;
  processing_started_at: string | null;
  processing_completed_at: string | null;
  /** Seconds from start to a terminal status. */
  total_duration: number | null;
  minio_transcript_url: string | null;
  minio_audio_url: string | null;
  minio_report_url: string | null;
  summary_topic: string | null;
  summary_sentiment: string | null;
  error: { code: string; message: string } | null;
  warnings: { code: string; message: string }[];
}

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
            error_code, error_message, warnings
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
  };
}
