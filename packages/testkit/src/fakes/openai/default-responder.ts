import type { JsonSchema } from "./json-schema.ts";
import type { ChatRequest } from "./wire.ts";

/** A piece of the user message the answer can rest on: its text and the turn indexes it belongs to. */
export interface Source {
  text: string;
  turns: number[];
}

const jsonString = String.raw`"((?:[^"\\]|\\.)*)"`;
/** A transcript turn rendered as JSON: `{"i": 3, …, "text": "…"}` (also `index` / `message`). */
const turnPattern = new RegExp(
  String.raw`"(?:i|index)"\s*:\s*(\d+)[^{}]*?"(?:text|message)"\s*:\s*${jsonString}`,
  "g",
);
/** A grounded item rendered as JSON: `{"text": "…", "turns": [1, 2]}` (a chunk summary being merged). */
const itemPattern = new RegExp(
  String.raw`"text"\s*:\s*${jsonString}\s*,\s*"turns"\s*:\s*\[([\d,\s]*)\]`,
  "g",
);

function unescapeJson(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s;
  }
}

/**
 * The turns (or cited items) a request's user message holds, in order: JSON objects with an index and a
 * text, or with a text and cited `turns`. This is how the default answer cites turns that really exist.
 */
export function sourcesOf(user: string): Source[] {
  const out: Source[] = [];
  for (const m of user.matchAll(turnPattern)) out.push({ turns: [Number(m[1])], text: unescapeJson(m[2]!) });
  for (const m of user.matchAll(itemPattern)) {
    const turns = m[2]!.split(",").flatMap((t) => (t.trim() ? [Number(t)] : []));
    if (turns.length) out.push({ turns, text: unescapeJson(m[1]!) });
  }
  return out;
}

function clip(s: string, max: number | undefined, fallback = 200): string {
  const limit = Math.min(max ?? fallback, fallback);
  return s.length <= limit ? s : `${s.slice(0, Math.max(0, limit - 1))}…`;
}

function resolve(root: JsonSchema, s: JsonSchema): JsonSchema {
  const m = s.$ref ? /^#\/(definitions|\$defs)\/(.+)$/.exec(s.$ref) : null;
  return m ? (root[m[1] as "definitions" | "$defs"]?.[decodeURIComponent(m[2]!)] ?? s) : s;
}

function isGroundedItem(root: JsonSchema, s: JsonSchema | undefined): boolean {
  const items = s ? resolve(root, s) : undefined;
  return Boolean(items?.properties?.turns && items.properties.text);
}

/**
 * A deterministic answer that validates against the request's schema, built from the user message: a
 * summary from the first sources, a topic from the first words, "neutral" for a sentiment enum, and up to
 * two grounded items per list, each citing the turns of a real source (never a turn the message lacks).
 */
export function defaultResponder(req: ChatRequest): unknown {
  const sources = sourcesOf(req.user).filter((s) => s.text.trim());
  const root = req.schema;
  let next = 0;
  const take = (): Source | undefined => (sources.length ? sources[next++ % sources.length] : undefined);

  const gen = (raw: JsonSchema, name: string, source: Source | undefined): unknown => {
    const s = resolve(root, raw);
    if (s.anyOf) {
      const branch = s.anyOf.find((b) => resolve(root, b).type !== "null") ?? s.anyOf[0]!;
      return gen(branch, name, source);
    }
    if (s.enum) return name === "sentiment" && s.enum.includes("neutral") ? "neutral" : s.enum[0];
    if ("const" in s) return s.const;
    const type = Array.isArray(s.type) ? (s.type.find((t) => t !== "null") ?? s.type[0]) : s.type;
    switch (type) {
      case "object": {
        const out: Record<string, unknown> = {};
        for (const [k, sub] of Object.entries(s.properties ?? {})) out[k] = gen(sub, k, source);
        return out;
      }
      case "array": {
        if (name === "turns" && source) return source.turns.slice(0, s.maxItems ?? 20);
        if (isGroundedItem(root, s.items)) {
          const count = Math.min(2, sources.length, s.maxItems ?? 2);
          return Array.from({ length: Math.max(count, s.minItems ?? 0) }, () => gen(s.items!, name, take()));
        }
        return Array.from({ length: s.minItems ?? 0 }, () => gen(s.items ?? {}, name, source));
      }
      case "string":
        return clip(stringFor(name, source, sources), s.maxLength);
      case "integer":
      case "number":
        return s.minimum ?? 0;
      case "boolean":
        return false;
      case "null":
        return null;
      default:
        return null;
    }
  };
  return gen(root, "", undefined);
}

function stringFor(name: string, source: Source | undefined, all: Source[]): string {
  if (name === "summary") {
    const gist = all
      .slice(0, 2)
      .map((s) => s.text.trim())
      .join(" ");
    return gist ? `The call covered: ${gist}` : "The call had no spoken content.";
  }
  if (name === "topic") return all[0]?.text.split(/\s+/).slice(0, 6).join(" ") || "General enquiry";
  if (source) return source.text.trim();
  return name || "text";
}
