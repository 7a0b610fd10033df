import type { MikroORM } from "@mikro-orm/postgresql";
import { type BatchEvent, type BatchHandler, NonRetriableError, type Producer } from "@postprocess/kafka";
import type { ProjectorInput } from "./apply-event.ts";
import { InvalidEventError, normalize, type ProjectedTopic } from "./normalize.ts";
import { toStatusEvent } from "./status-event.ts";
import { projectBatch } from "./store.ts";

/** The topics the projector folds into PostgreSQL. */
export const projectedTopics = [
  "conversationEnded",
  "stepEvent",
  "transcriptExtracted",
  "artifactsStored",
  "summaryGenerated",
  "reportGenerated",
  "emailSent",
  "cancelRequested",
  "filesDeleted",
  "jobArchived",
] as const satisfies readonly ProjectedTopic[];

export interface ProjectorDeps {
  orm: MikroORM;
  producer: Pick<Producer, "sendBatch">;
}

/**
 * One Kafka batch → one transaction → the new status of every job it touched on `processing.status`.
 * Status goes out after the commit and before the offsets are: a crash in between redelivers the batch,
 * which changes nothing in the database and publishes the same statuses again (consumers keep the highest
 * `version`).
 */
export function createBatchHandler(deps: ProjectorDeps): BatchHandler<(typeof projectedTopics)[number]> {
  return async (events: BatchEvent<(typeof projectedTopics)[number]>[]) => {
    const rejected: { index: number; error: Error }[] = [];
    const inputs: ProjectorInput[] = [];
    const indexOf = new Map<ProjectorInput, number>();
    events.forEach((e, index) => {
      try {
        const input = normalize(e.topic, e.event);
        inputs.push(input);
        indexOf.set(input, index);
      } catch (err) {
        if (!(err instanceof InvalidEventError)) throw err;
        rejected.push({ index, error: new NonRetriableError(err.message, { cause: err }) });
      }
    });
    const outcome = await projectBatch(deps.orm, inputs).catch((err: unknown) => {
      throw classifyDatabaseError(err);
    });
    for (const r of outcome.rejected) {
      rejected.push({ index: indexOf.get(r.input)!, error: new NonRetriableError(r.reason) });
    }
    if (outcome.jobs.length) {
      await deps.producer.sendBatch(
        outcome.jobs.map((job) => ({ topic: "processingStatus", event: toStatusEvent(job) })),
      );
    }
    return { rejected };
  };
}

/**
 * Data errors (SQLSTATE classes 22 and 23: a value or a constraint the row breaks) cannot succeed on retry:
 * the batch consumer bisects to the event and dead-letters it. Everything else (connection lost, deadlock,
 * serialization) is transient.
 */
export function classifyDatabaseError(err: unknown): Error {
  const e = err as { code?: unknown; sqlState?: unknown; message?: string };
  const state = typeof e.sqlState === "string" ? e.sqlState : typeof e.code === "string" ? e.code : "";
  if (/^2[23]/.test(state))
    return new NonRetriableError(`database refused the batch (${state}): ${e.message}`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}
