import type { EventOf } from "@postprocess/contracts";
import { newProcessingId } from "@postprocess/db";

/**
 * A complete `processing.status` record of a job of `acc_a` that completed just now (after the endpoints
 * the tests register, which only hear of later outcomes); `over` changes any field.
 */
export function statusEvent(over: Partial<EventOf<"processingStatus">> = {}): EventOf<"processingStatus"> {
  const processingId = over.processing_id ?? newProcessingId();
  const now = Date.now();
  const at = (ms: number) => new Date(now + ms).toISOString();
  return {
    processing_id: processingId,
    conversation_id: "conv_1",
    account_id: "acc_a",
    status: "completed",
    progress: 100,
    current_step: null,
    error: null,
    warnings: [{ code: "NO_AUDIO", message: "the conversation has no audio" }],
    created_at: at(-42_000),
    started_at: at(-41_000),
    completed_at: at(0),
    total_duration_ms: 42_000,
    artifacts: [
      {
        file_type: "report",
        file_name: "report.pdf",
        bucket: "postprocess",
        key: `acc_a/conv_1/${processingId}/report.pdf`,
        size: 1234,
        sha256: "0".repeat(64),
        content_type: "application/pdf",
        url: `https://s3.example.com/postprocess/acc_a/conv_1/${processingId}/report.pdf?X-Amz-Signature=abc`,
        url_expires_at: at(24 * 3600_000 - 2_000),
      },
      {
        file_type: "transcript",
        file_name: "transcript.json",
        bucket: "postprocess",
        key: `acc_a/conv_1/${processingId}/transcript.json`,
        size: 321,
        sha256: "1".repeat(64),
        content_type: "application/json",
        url: `https://s3.example.com/postprocess/acc_a/conv_1/${processingId}/transcript.json?X-Amz-Signature=def`,
        url_expires_at: at(24 * 3600_000 - 32_000),
      },
    ],
    summary: "The customer asked where their order is; the agent promised a refund.",
    topic: "Late order",
    sentiment: "negative",
    key_points: [{ text: "Order is late", turns: [1], at_secs: 2.5 }],
    action_items: [{ text: "Refund the shipping", turns: [3], at_secs: 9 }],
    updated_at: at(0),
    version: 7,
    ...over,
  };
}
