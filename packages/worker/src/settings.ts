import type { JobSettingsSnapshot } from "@postprocess/contracts";

/** The per-account knobs a step honours, with the seed's defaults for accounts that set none. */
export interface JobSettings {
  emailTemplate: string | null;
  emailSubjectTemplate: string | null;
  emailFromName: string | null;
  emailFromAddress: string | null;
  maxFileSizeMb: number;
  processingTimeoutMinutes: number;
  enableAudioStorage: boolean;
  enableTranscriptStorage: boolean;
  enableReportGeneration: boolean;
  openaiModel: string;
  openaiMaxTokens: number;
  customSystemPrompt: string | null;
  bucketName: string | null;
  fileRetentionDays: number;
}

/** The seed's defaults (the column defaults of `account_settings`): what an account with no row runs with. */
export const defaultSettings: JobSettings = {
  emailTemplate: null,
  emailSubjectTemplate: null,
  emailFromName: null,
  emailFromAddress: null,
  maxFileSizeMb: 10,
  processingTimeoutMinutes: 10,
  enableAudioStorage: true,
  enableTranscriptStorage: true,
  enableReportGeneration: true,
  openaiModel: "gpt-4",
  openaiMaxTokens: 1000,
  customSystemPrompt: null,
  bucketName: null,
  fileRetentionDays: 30,
};

/**
 * An `account_settings` row as selected by the job store. Also the shape of a job's settings snapshot (the
 * `settings` of `conversation.ended`, `conversation_processing.settings`) and of the settings API's JSON.
 */
export interface SettingsRow {
  default_email_template: string | null;
  email_subject_template: string | null;
  email_from_name: string | null;
  email_from_address: string | null;
  max_file_size_mb: number;
  processing_timeout_minutes: number;
  enable_audio_storage: boolean;
  enable_transcript_storage: boolean;
  enable_report_generation: boolean;
  openai_model: string;
  openai_max_tokens: number;
  custom_system_prompt: string | null;
  minio_bucket_name: string | null;
  file_retention_days: number;
}

/** A row (or snapshot) as the settings a step reads; no row means the defaults. */
export function settingsFromRow(r: SettingsRow | undefined): JobSettings {
  if (!r) return defaultSettings;
  return {
    emailTemplate: r.default_email_template,
    emailSubjectTemplate: r.email_subject_template,
    emailFromName: r.email_from_name,
    emailFromAddress: r.email_from_address,
    maxFileSizeMb: r.max_file_size_mb,
    processingTimeoutMinutes: r.processing_timeout_minutes,
    enableAudioStorage: r.enable_audio_storage,
    enableTranscriptStorage: r.enable_transcript_storage,
    enableReportGeneration: r.enable_report_generation,
    openaiModel: r.openai_model,
    openaiMaxTokens: r.openai_max_tokens,
    customSystemPrompt: r.custom_system_prompt,
    bucketName: r.minio_bucket_name,
    fileRetentionDays: r.file_retention_days,
  };
}

/** Settings in the row/snapshot shape: what the gateway snapshots for an account with no row. */
export function settingsToRow(s: JobSettings): SettingsRow {
  return {
    default_email_template: s.emailTemplate,
    email_subject_template: s.emailSubjectTemplate,
    email_from_name: s.emailFromName,
    email_from_address: s.emailFromAddress,
    max_file_size_mb: s.maxFileSizeMb,
    processing_timeout_minutes: s.processingTimeoutMinutes,
    enable_audio_storage: s.enableAudioStorage,
    enable_transcript_storage: s.enableTranscriptStorage,
    enable_report_generation: s.enableReportGeneration,
    openai_model: s.openaiModel,
    openai_max_tokens: s.openaiMaxTokens,
    custom_system_prompt: s.customSystemPrompt,
    minio_bucket_name: s.bucketName,
    file_retention_days: s.fileRetentionDays,
  };
}

/**
 * A job's snapshot as settings. A snapshot written before a setting existed lacks that field: it runs with
 * the setting's default rather than with undefined.
 */
export function settingsFromSnapshot(snapshot: Partial<SettingsRow>): JobSettings {
  return settingsFromRow({ ...settingsToRow(defaultSettings), ...definedOnly(snapshot) });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// The snapshot in events and the row are one shape: a field added to one and not the other fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameShape: Same<JobSettingsSnapshot, SettingsRow> = true;
void _sameShape;
