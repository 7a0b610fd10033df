import { z } from "zod";

/**
 * The normalised transcript as storage writes it to S3 (`transcript.json`) and the summarizer and report
 * read it back. Turn indexes are what summaries cite ("grounded" key points and action items).
 */
export const transcriptSchema = z.object({
  conversation_id: z.string(),
  agent_id: z.string().nullable(),
  started_at: z.string().nullable(),
  duration_secs: z.number().nullable(),
  turns: z.array(
    z.object({
      index: z.number().int().min(0),
      role: z.enum(["agent", "user", "tool"]),
      message: z.string(),
      time_in_call_secs: z.number().min(0),
      tool_name: z.string().nullable(),
    }),
  ),
});

export type Transcript = z.infer<typeof transcriptSchema>;

/** `mm:ss` (or `h:mm:ss`) of a time in the call, as the report and email print it. */
export function clock(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** The readable text rendering stored beside the JSON: `[m:ss] Speaker: message`, tool events marked. */
export function renderTranscriptText(t: Transcript): string {
  return t.turns
    .map((turn) => {
      const who =
        turn.role === "agent"
          ? "Agent"
          : turn.role === "user"
            ? "User"
            : `Tool${turn.tool_name ? ` (${turn.tool_name})` : ""}`;
      return `[${clock(turn.time_in_call_secs)}] ${who}: ${turn.message}`;
    })
    .join("\n");
}
