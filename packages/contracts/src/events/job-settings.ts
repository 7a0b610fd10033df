import { type Infer, optional } from "../avro.ts";
import { NS } from "./shared.ts";

/**
 * The account settings a job runs with, snapshotted when the gateway accepts it, so that a settings change
 * applies only to jobs accepted after it. Field names are the `account_settings` columns (and the settings
 * API's JSON names). A setting added later needs a default here, so snapshots written before it still read.
 */
export const JobSettingsRecord = {
  type: "record",
  name: "JobSettings",
  namespace: NS,
  fields: [
    optional("default_email_template", "string"),
    optional("email_subject_template", "string"),
    optional("email_from_name", "string"),
    optional("email_from_address", "string"),
    { name: "max_file_size_mb", type: "int" },
    { name: "processing_timeout_minutes", type: "int" },
    { name: "enable_audio_storage", type: "boolean" },
    { name: "enable_transcript_storage", type: "boolean" },
    { name: "enable_report_generation", type: "boolean" },
    { name: "openai_model", type: "string" },
    { name: "openai_max_tokens", type: "int" },
    optional("custom_system_prompt", "string"),
    optional("minio_bucket_name", "string", "null: the deployment's default bucket."),
    { name: "file_retention_days", type: "int" },
  ],
} as const;

/** A settings snapshot as it travels in `conversation.ended` and is stored in `conversation_processing.settings`. */
export type JobSettingsSnapshot = Infer<typeof JobSettingsRecord>;
