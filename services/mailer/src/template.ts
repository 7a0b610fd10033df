/**
 * A deliberately tiny template engine for the account's subject and body templates. A template is the
 * account's own (trusted) text with `{{name}}` placeholders; values come from the call (untrusted: a
 * transcript or a model wrote them). So:
 *
 * - only `templateVariables` exist; an unknown placeholder is an error at render time (a typo in a
 *   template fails the job with a message naming it, instead of mailing customers a hole);
 * - a value is inserted once and never scanned again (a summary containing `{{report_url}}` prints it);
 * - in HTML every value is escaped, and lists and links are markup the engine writes itself;
 * - there are no expressions, conditionals, partials or raw output.
 *
 * The variables and the placeholder syntax live in `@postprocess/worker`: the gateway checks templates
 * with the same rule when an account saves them.
 */
import {
  isTemplateVariable,
  placeholderPattern,
  type TemplateVariable,
  unknownPlaceholderMessage,
} from "@postprocess/worker";

/** A list line: an optional emphasised lead (a time in the call, a warning code), then the text. */
export interface ListItem {
  lead?: string;
  text: string;
}

/** Plain text, a list, or a link (rendered as an anchor in HTML, the bare URL in text). */
export type TemplateValue = string | { list: ListItem[] } | { link: string };

export type TemplateValues = Record<TemplateVariable, TemplateValue>;

/**
 * How to render: `html` (values escaped), `text` (the plain-text part: an HTML template's tags dropped),
 * `line` (a header such as the subject: one line, lists joined with "; ").
 */
export type TemplateMode = "html" | "text" | "line";

/** A template that cannot be rendered, with what is wrong in words an account admin understands. */
export class TemplateError extends Error {
  override name = "TemplateError";
}

type Segment = { literal: string } | { variable: TemplateVariable };

/** Splits a template into literal text and placeholders; throws on an unknown placeholder. */
export function parseTemplate(source: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const m of source.matchAll(placeholderPattern)) {
    const name = m[1]!;
    if (!isTemplateVariable(name)) throw new TemplateError(unknownPlaceholderMessage(name));
    if (m.index > last) segments.push({ literal: source.slice(last, m.index) });
    segments.push({ variable: name });
    last = m.index + m[0].length;
  }
  if (last < source.length) segments.push({ literal: source.slice(last) });
  return segments;
}

/** Renders `source` with `values`. An HTML template is one with tags; otherwise its text is escaped too. */
export function renderTemplate(source: string, values: TemplateValues, mode: TemplateMode): string {
  const markup = looksLikeHtml(source);
  const literal = (s: string) => {
    if (mode === "html") return markup ? s : escapeHtml(s).replace(/\n/g, "<br>\n");
    if (mode === "text") return markup ? htmlToText(s) : s;
    return s;
  };
  const out = parseTemplate(source)
    .map((seg) => ("literal" in seg ? literal(seg.literal) : value(values[seg.variable], mode)))
    .join("");
  return mode === "text" ? tidyText(out) : out;
}

function value(v: TemplateValue, mode: TemplateMode): string {
  if (typeof v === "string") {
    return mode === "html" ? escapeHtml(v).replace(/\n/g, "<br>") : v;
  }
  if ("link" in v) {
    if (mode !== "html" || !v.link) return v.link;
    return `<a href="${escapeHtml(v.link)}">${escapeHtml(v.link)}</a>`;
  }
  const line = (i: ListItem) => (i.lead ? `${i.lead} ${i.text}` : i.text);
  if (mode === "line") return v.list.map(line).join("; ");
  if (!v.list.length) return mode === "html" ? "<p>None.</p>" : "None.";
  if (mode === "text") return `\n${v.list.map((i) => `- ${line(i)}`).join("\n")}\n`;
  const li = (i: ListItem) =>
    `<li>${i.lead ? `<strong>${escapeHtml(i.lead)}</strong> ` : ""}${escapeHtml(i.text)}</li>`;
  return `<ul>\n${v.list.map(li).join("\n")}\n</ul>`;
}

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function looksLikeHtml(s: string): boolean {
  return /<\/?[a-z][a-z0-9]*\b[^>]*>/i.test(s);
}

/** The template author's HTML as plain text: block ends become line breaks, tags go, entities decode. */
function htmlToText(html: string): string {
  return html
    .replace(/\s*\n\s*/g, " ")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n- ")
    .replace(/<\/(p|div|h[1-6]|ul|ol|li|tr|table|blockquote)>/gi, "\n")
    .replace(/<(p|div|h[1-6]|ul|ol|tr|table|blockquote)\b[^>]*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => entities[e] ?? "");
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", nbsp: " " };

/** One space between words, no blank runs of more than one line. */
function tidyText(s: string): string {
  return s
    .split("\n")
    .map((l) => l.replace(/[ \t]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
