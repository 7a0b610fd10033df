import type { EventOf } from "@postprocess/contracts";
import { renderTranscriptText, StepError, type Transcript, transcriptSchema } from "@postprocess/worker";

/**
 * The normalised transcript (the shape the summarizer and report read back) built from the extractor's
 * event. Turns get their index here: it is what grounded summaries cite. An event the schema refuses (a
 * negative time, say) fails the step for good: retrying cannot fix it.
 */
export function buildTranscript(event: EventOf<"transcriptExtracted">): Transcript {
  const parsed = transcriptSchema.safeParse({
    conversation_id: event.conversation_id,
    agent_id: event.agent_id,
    started_at: event.started_at,
    duration_secs: event.duration_secs,
    turns: event.turns.map((t, index) => ({
      index,
      role: t.role,
      message: t.message,
      time_in_call_secs: t.time_in_call_secs,
      tool_name: t.tool_name,
    })),
  });
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new StepError("INPUT_INVALID", `transcript does not fit the schema (at ${where})`);
  }
  return parsed.data;
}

/** The two stored renderings, as bytes: the same transcript always gives the same bytes (and sha256). */
export function transcriptBodies(t: Transcript): { json: Buffer; text: Buffer } {
  return {
    json: Buffer.from(`${JSON.stringify(t, null, 2)}\n`, "utf8"),
    text: Buffer.from(`${renderTranscriptText(t)}\n`, "utf8"),
  };
}
