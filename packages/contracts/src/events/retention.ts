import { avroRecord } from "../avro.ts";
import { envelopeFields, fileTypes, NS } from "./shared.ts";

/** An S3 object retention removes: enough to delete it and to drop its `conversation_files` row. */
const ExpiredFile = {
  type: "record",
  name: "ExpiredFile",
  namespace: NS,
  fields: [
    {
      name: "file_type",
      type: { type: "enum", name: "FileType", namespace: NS, symbols: fileTypes },
    },
    { name: "bucket", type: "string" },
    { name: "key", type: "string" },
  ],
} as const;

/** projector (retention sweep) → storage: these files of a job are past the account's `file_retention_days`. */
export const filesExpiredSchema = avroRecord({
  type: "record",
  name: "FilesExpired",
  namespace: NS,
  fields: [...envelopeFields, { name: "files", type: { type: "array", items: ExpiredFile } }],
});

/** storage → projector: the listed objects are gone from S3 (or were already). */
export const filesDeletedSchema = avroRecord({
  type: "record",
  name: "FilesDeleted",
  namespace: NS,
  fields: [...envelopeFields, { name: "files", type: { type: "array", items: ExpiredFile } }],
});

/** projector (retention sweep) → projector: a completed job older than the archive period is archived. */
export const jobArchivedSchema = avroRecord({
  type: "record",
  name: "JobArchived",
  namespace: NS,
  fields: [
    ...envelopeFields,
    {
      name: "completed_at",
      type: "string",
      doc: "When the job completed: lets the fold archive it whatever order the topics replay in.",
    },
  ],
});
