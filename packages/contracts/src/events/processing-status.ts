import { avroRecord, optional, ref } from "../avro.ts";
import { ErrorInfo, FileRef, GroundedItem, JobStatus, NS, Warning } from "./shared.ts";

/**
 * PUBLIC output contract: the current state of a job, published by the projector after every committed
 * change. The topic is compacted and keyed by processing_id, so reading it from the start gives the
 * latest state of every job.
 */
export const processingStatusSchema = avroRecord({
  type: "record",
  name: "ProcessingStatus",
  namespace: NS,
  fields: [
    { name: "processing_id", type: "string" },
    { name: "conversation_id", type: "string" },
    { name: "account_id", type: "string" },
    { name: "status", type: JobStatus },
    { name: "progress", type: "int", doc: "0-100." },
    optional("current_step", "string"),
    optional("error", ErrorInfo),
    { name: "warnings", type: { type: "array", items: Warning }, default: [] },
    { name: "created_at", type: "string" },
    optional("started_at", "string"),
    optional("completed_at", "string"),
    optional("total_duration_ms", "long"),
    { name: "artifacts", type: { type: "array", items: FileRef }, default: [] },
    optional("summary", "string"),
    optional("topic", "string"),
    optional("sentiment", "string"),
    { name: "key_points", type: { type: "array", items: GroundedItem }, default: [] },
    { name: "action_items", type: { type: "array", items: ref(GroundedItem) }, default: [] },
    { name: "updated_at", type: "string" },
    { name: "version", type: "long", doc: "Increases with every change; lets consumers drop stale copies." },
  ],
});
