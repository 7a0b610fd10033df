import type { EventOf } from "@postprocess/contracts";
import type { ElevenLabsTranscriptItem } from "./conversation-schema.ts";

/** A turn as `transcriptExtracted` carries it. */
export type Turn = EventOf<"transcriptExtracted">["turns"][number];

/** Longest rendering of a tool's parameters or result: a turn describes the call, it does not carry data. */
export const TOOL_TEXT_MAX = 300;

/**
 * ElevenLabs transcript entries → turns, in their order (never re-sorted: entries may share a second or
 * arrive out of time order, and summaries cite turns by index).
 *
 * - Speech: `message` trimmed, and for an interrupted turn that is what was actually said (the full LLM
 *   text in `original_message` was never heard). Null, empty and whitespace-only messages are dropped.
 * - Tool activity (entries with `message: null`, or speech with tool calls attached): one `tool` turn per
 *   call and per result, named by `tool_name`, whose message describes it compactly. Never agent text.
 * - `tool_calls`/`tool_results` may be null, missing or [].
 */
export function normalizeElevenLabsTranscript(items: readonly ElevenLabsTranscriptItem[]): Turn[] {
  const turns: Turn[] = [];
  for (const item of items) {
    const at = secs(item.time_in_call_secs);
    const message = item.message?.trim();
    if (message) turns.push({ role: item.role, message, time_in_call_secs: at, tool_name: null });
    for (const call of item.tool_calls ?? [])
      turns.push({
        role: "tool",
        message: describeToolCall(call.tool_name, call.params_as_json),
        time_in_call_secs: at,
        tool_name: call.tool_name,
      });
    for (const result of item.tool_results ?? [])
      turns.push({
        role: "tool",
        message: describeToolResult(result.tool_name, result.result_value, result.is_error ?? false),
        time_in_call_secs: at,
        tool_name: result.tool_name,
      });
  }
  return turns;
}

/** Turns that came inline in the event: the same hygiene (trimmed, no empty turns, no negative times). */
export function normalizeInlineTranscript(turns: readonly Turn[]): Turn[] {
  return turns.flatMap((t) => {
    const message = t.message.trim();
    return message ? [{ ...t, message, time_in_call_secs: secs(t.time_in_call_secs) }] : [];
  });
}

/** `called lookup_order({"id":"A-17"})`: the name and its parameters as compact JSON. */
export function describeToolCall(name: string, params: unknown): string {
  const json = compactJson(params);
  return `called ${name}(${json === "{}" ? "" : json})`;
}

/** `lookup_order returned {"status":"shipped"}`, or `lookup_order failed: …`. */
export function describeToolResult(name: string, value: unknown, isError: boolean): string {
  const json = compactJson(value);
  if (isError) return `${name} failed${json ? `: ${json}` : ""}`;
  return json ? `${name} returned ${json}` : `${name} returned nothing`;
}

/**
 * A JSON-encoded string (as `params_as_json` and `result_value` are on the wire) re-serialised without
 * whitespace; other text trimmed; both capped at TOOL_TEXT_MAX characters.
 */
function compactJson(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = "";
  else if (typeof value === "string") {
    try {
      text = JSON.stringify(JSON.parse(value));
    } catch {
      text = value.trim().replace(/\s+/g, " ");
    }
  } else text = JSON.stringify(value) ?? "";
  if (text.length <= TOOL_TEXT_MAX) return text;
  let cut = TOOL_TEXT_MAX - 3;
  // Never split a surrogate pair (it would reach the report as a replacement character).
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  return `${text.slice(0, cut)}...`;
}

/** A time in the call: finite and never negative (the transcript schema requires ≥ 0). */
function secs(t: number): number {
  return Number.isFinite(t) && t > 0 ? t : 0;
}
