/**
 * The placeholders of the account's email templates, shared by the mailer (which renders templates) and
 * the gateway (which refuses a template with an unknown placeholder when the account saves it, instead of
 * letting the job fail when its email is composed).
 */
export const templateVariables = [
  "summary",
  "topic",
  "sentiment",
  "conversation_id",
  "processing_id",
  "account_id",
  "agent_id",
  "key_points",
  "action_items",
  "warnings",
  "report_url",
  "report_link",
  "report_note",
] as const;

/** One variable a template may use. */
export type TemplateVariable = (typeof templateVariables)[number];

/** `{{name}}`, spaces inside the braces allowed; `name` is captured. Use with `matchAll` (it is global). */
export const placeholderPattern = /\{\{\s*([^{}]*?)\s*\}\}/g;

const known = new Set<string>(templateVariables);

/** True when `name` is a variable templates may use. */
export function isTemplateVariable(name: string): name is TemplateVariable {
  return known.has(name);
}

/** What is wrong with an unknown placeholder, in words an account admin understands. */
export function unknownPlaceholderMessage(name: string): string {
  return `unknown placeholder {{${name.slice(0, 40)}}}; the variables are ${templateVariables.join(", ")}`;
}

/** The problem with the first unknown placeholder of `source`, or undefined when every one is known. */
export function checkPlaceholders(source: string): string | undefined {
  for (const m of source.matchAll(placeholderPattern)) {
    if (!isTemplateVariable(m[1]!)) return unknownPlaceholderMessage(m[1]!);
  }
  return undefined;
}
