import type { AuditRow } from "./apply-event.ts";
import type { JobState } from "./job-state.ts";

/** SQL that reads a timestamptz as the exact ISO-8601 string events carry (ms precision, UTC). */
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Columns of `conversation_processing` as a `JobRow` (minus files). */
export const jobColumns = `
  processing_id, conversation_id, account_id, email_id, status, progress, current_step, error_code, error_message,
  ${iso("created_at")} AS created_at, ${iso("processing_started_at")} AS started_at,
  ${iso("processing_completed_at")} AS completed_at,
  (EXTRACT(EPOCH FROM total_duration) * 1000)::bigint AS total_duration_ms,
  minio_transcript_url, minio_audio_url, minio_report_url, openai_summary, summary_topic, summary_sentiment,
  summary_key_points, summary_action_items, warnings, settings, version, ${iso("updated_at")} AS updated_at`;

/** A row as `jobColumns` selects it. */
export interface JobRow {
  processing_id: string;
  conversation_id: string;
  account_id: string;
  email_id: string;
  status: JobState["status"];
  progress: number;
  current_step: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  total_duration_ms: string | number | null;
  minio_transcript_url: string | null;
  minio_audio_url: string | null;
  minio_report_url: string | null;
  openai_summary: string | null;
  summary_topic: string | null;
  summary_sentiment: string | null;
  summary_key_points: JobState["keyPoints"];
  summary_action_items: JobState["actionItems"];
  warnings: JobState["warnings"];
  settings: JobState["settings"];
  version: string | number;
  updated_at: string;
}

export function jobFromRow(r: JobRow, files: JobState["files"]): JobState {
  return {
    processingId: r.processing_id,
    conversationId: r.conversation_id,
    accountId: r.account_id,
    emailId: r.email_id,
    status: r.status,
    progress: r.progress,
    currentStep: r.current_step,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    createdAt: r.created_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    totalDurationMs: r.total_duration_ms === null ? null : Number(r.total_duration_ms),
    transcriptUrl: r.minio_transcript_url,
    audioUrl: r.minio_audio_url,
    reportUrl: r.minio_report_url,
    summary: r.openai_summary,
    topic: r.summary_topic,
    sentiment: r.summary_sentiment,
    keyPoints: r.summary_key_points,
    actionItems: r.summary_action_items,
    warnings: r.warnings,
    settings: r.settings,
    files,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

/** The job as the JSON record `json_to_recordset` turns into an UPDATE of its row. */
export function jobToRecord(j: JobState) {
  return {
    processing_id: j.processingId,
    conversation_id: j.conversationId,
    account_id: j.accountId,
    email_id: j.emailId,
    status: j.status,
    progress: j.progress,
    current_step: j.currentStep,
    error_code: j.errorCode,
    error_message: j.errorMessage,
    created_at: j.createdAt,
    started_at: j.startedAt,
    completed_at: j.completedAt,
    total_duration_ms: j.totalDurationMs,
    transcript_url: j.transcriptUrl,
    audio_url: j.audioUrl,
    report_url: j.reportUrl,
    summary: j.summary,
    topic: j.topic,
    sentiment: j.sentiment,
    key_points: j.keyPoints,
    action_items: j.actionItems,
    warnings: j.warnings,
    settings: j.settings,
    version: j.version,
    updated_at: j.updatedAt,
  };
}

export function auditToRecord(a: AuditRow) {
  return {
    event_id: a.eventId,
    processing_id: a.processingId,
    conversation_id: a.conversationId,
    account_id: a.accountId,
    event_type: a.eventType,
    event_status: a.eventStatus,
    step_name: a.stepName,
    step_duration_ms: a.stepDurationMs,
    event_data: a.eventData,
    error_message: a.errorMessage,
    retry_count: a.retryCount,
    created_at: a.createdAt,
  };
}

/** `conversation_files` rows of a job, from its file references (`minio_path` is `bucket/key`). */
export function filesToRecords(j: JobState) {
  return j.files.map((f) => ({
    processing_id: j.processingId,
    conversation_id: j.conversationId,
    account_id: j.accountId,
    file_type: f.file_type,
    file_name: f.file_name,
    file_size: f.size,
    minio_path: `${f.bucket}/${f.key}`,
    minio_url: f.url,
    url_expires_at: f.url_expires_at,
    content_type: f.content_type,
    checksum: f.sha256,
    created_at: f.seenAt,
  }));
}

export interface FileRow {
  processing_id: string;
  file_type: JobState["files"][number]["file_type"];
  file_name: string;
  file_size: string | number;
  minio_path: string;
  minio_url: string | null;
  url_expires_at: string | null;
  content_type: string;
  checksum: string;
  created_at: string;
}

export const fileColumns = `processing_id, file_type, file_name, file_size, minio_path, minio_url,
  ${iso("url_expires_at")} AS url_expires_at, content_type, checksum, ${iso("created_at")} AS created_at`;

export function fileFromRow(r: FileRow): JobState["files"][number] {
  const slash = r.minio_path.indexOf("/");
  return {
    file_type: r.file_type,
    file_name: r.file_name,
    bucket: r.minio_path.slice(0, slash),
    key: r.minio_path.slice(slash + 1),
    size: Number(r.file_size),
    sha256: r.checksum,
    content_type: r.content_type,
    url: r.minio_url,
    url_expires_at: r.url_expires_at,
    seenAt: r.created_at,
  };
}
