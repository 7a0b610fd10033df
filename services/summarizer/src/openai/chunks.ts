import type { Transcript } from "@postprocess/worker";
import { dataLine } from "./prompts.ts";

/** A rough token count (about four characters a token, OpenAI's own rule of thumb). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** One line of transcript data for the model: a turn, or a piece of a turn too long for one request. */
export interface TurnLine {
  index: number;
  line: string;
  tokens: number;
}

/** The newline each line adds in the message. */
const perLine = 1;

/**
 * The turns as data lines, keeping their global indexes; empty turns are left out. A turn longer than
 * `maxTokens` is cut into pieces (at spaces where possible) that carry the same index and `piece: "k/n"`,
 * so even one huge turn is summarised whole, never truncated.
 */
export function turnLines(t: Transcript, maxTokens: number): TurnLine[] {
  const out: TurnLine[] = [];
  for (const turn of t.turns) {
    const text = turn.message.trim();
    if (!text) continue;
    const base = { i: turn.index, role: turn.role, t: turn.time_in_call_secs };
    const line = dataLine({ ...base, text });
    if (estimateTokens(line) + perLine <= maxTokens) {
      out.push({ index: turn.index, line, tokens: estimateTokens(line) + perLine });
      continue;
    }
    // Room for text in a piece: the budget, less the line's frame, with slack for escapes growing it.
    const room =
      Math.floor((maxTokens - perLine) * 4 * 0.8) - dataLine({ ...base, piece: "99/99", text: "" }).length;
    if (room < 40) throw new Error(`a token budget of ${maxTokens} leaves no room for transcript text`);
    const pieces = splitText(text, room);
    pieces.forEach((p, k) => {
      const l = dataLine({ ...base, piece: `${k + 1}/${pieces.length}`, text: p });
      out.push({ index: turn.index, line: l, tokens: estimateTokens(l) + perLine });
    });
  }
  return out;
}

/** `text` in pieces of at most `max` characters, cut at the last space of each piece when there is one. */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const space = rest.lastIndexOf(" ", max);
    const cut = space > max / 2 ? space : max;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** Consecutive lines grouped so that each group's tokens stay within `maxTokens` (each line fits alone). */
export function packLines<L extends { tokens: number }>(lines: readonly L[], maxTokens: number): L[][] {
  const groups: L[][] = [];
  let current: L[] = [];
  let size = 0;
  for (const l of lines) {
    if (current.length && size + l.tokens > maxTokens) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(l);
    size += l.tokens;
  }
  if (current.length) groups.push(current);
  return groups;
}
