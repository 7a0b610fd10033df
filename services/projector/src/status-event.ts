import type { EventOf } from "@postprocess/contracts";
import type { JobState } from "./job-state.ts";

/** The public `processing.status` record of a job (what outside consumers read from Kafka). */
export function toStatusEvent(job: JobState): EventOf<"processingStatus"> {
  return {
    processing_id: job.processingId,
    conversation_id: job.conversationId,
    account_id: job.accountId,
    status: job.status,
    progress: job.progress,
    current_step: job.currentStep,
    error: job.errorCode ? { code: job.errorCode, message: job.errorMessage ?? "" } : null,
    warnings: job.warnings,
    created_at: job.createdAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
    total_duration_ms: job.totalDurationMs,
    artifacts: job.files.map(({ seenAt: _, ...f }) => f),
    summary: job.summary,
    topic: job.topic,
    sentiment: job.sentiment,
    key_points: job.keyPoints ?? [],
    action_items: job.actionItems ?? [],
    updated_at: job.updatedAt,
    version: job.version,
  };
}
