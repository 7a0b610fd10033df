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

/** An `account_settings` row as selected by the job store. */
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
