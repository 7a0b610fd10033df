import type { EventOf, TopicKey } from "@postprocess/contracts";
import { isProcessingId, processingIdFromEvent } from "@postprocess/db";
import type { ProjectorInput } from "./apply-event.ts";

/** Why an event cannot be projected: it goes to the dead-letter topic with this reason. */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/** The topics the projector folds, each into `ProjectorInput`. */
export type ProjectedTopic = ProjectorInput["topic"];

/**
 * Checks and canonicalises a decoded event before folding: instants become UTC ISO strings with ms (the
 * fold compares them as strings), and a `conversation.ended` published by another system without a
 * processing id gets the one the whole pipeline derives from its event id.
 */
export function normalize<K extends ProjectedTopic>(topic: K, raw: EventOf<K>): ProjectorInput {
  const at = Date.parse(raw.occurred_at);
  if (Number.isNaN(at))
    throw new InvalidEventError(`occurred_at "${raw.occurred_at}" is not an ISO-8601 instant`);
  const occurred_at = new Date(at).toISOString();
  if (topic === "conversationEnded") {
    const e = raw as EventOf<"conversationEnded">;
    const processing_id = e.processing_id ?? processingIdFromEvent(e.event_id, at);
    if (!isProcessingId(processing_id))
      throw new InvalidEventError(`processing_id "${processing_id}" is malformed`);
    return { topic: "conversationEnded", event: { ...e, occurred_at, processing_id } };
  }
  if (topic === "jobArchived") {
    const e = raw as EventOf<"jobArchived">;
    const done = Date.parse(e.completed_at);
    if (Number.isNaN(done))
      throw new InvalidEventError(`completed_at "${e.completed_at}" is not an ISO-8601 instant`);
    if (!isProcessingId(e.processing_id))
      throw new InvalidEventError(`processing_id "${e.processing_id}" is malformed`);
    return { topic, event: { ...e, occurred_at, completed_at: new Date(done).toISOString() } };
  }
  const e = raw as { processing_id: string };
  if (!isProcessingId(e.processing_id))
    throw new InvalidEventError(`processing_id "${e.processing_id}" is malformed`);
  return { topic, event: { ...raw, occurred_at } } as ProjectorInput;
}

/** Compile-time guard: every projected topic is a catalog topic. */
export type _Check = ProjectedTopic extends TopicKey ? true : never;
