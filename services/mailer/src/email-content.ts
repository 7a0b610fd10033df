import { clock } from "@postprocess/worker";
import { z } from "zod";
import { headerText } from "./address.ts";
import { type ListItem, renderTemplate, type TemplateValues } from "./template.ts";

const item = z.object({
  text: z.string(),
  turns: z.array(z.number()).default([]),
  at_secs: z.number().nullish(),
});

/** `summary.json` as the summarizer writes it (unknown keys ignored; `agent_id` used if it ever carries one). */
export const summaryFileSchema = z.object({
  summary: z.string(),
  topic: z.string(),
  sentiment: z.string(),
  key_points: z.array(item),
  action_items: z.array(item),
  model: z.string().optional(),
  agent_id: z.string().nullish(),
});

export type SummaryFile = z.infer<typeof summaryFileSchema>;

/** How the report reaches the reader: attached, linked (too large to attach), or not at all (disabled). */
export type ReportPart =
  | { kind: "attached"; fileName: string }
  | { kind: "linked"; url: string; expiresAt: string }
  | { kind: "none" };

export const defaultSubjectTemplate = "Call summary: {{topic}} ({{conversation_id}})";

/** The body of accounts that set no template: the summary first, then what to do, then the fine print. */
export const defaultBodyTemplate = `<div style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; line-height: 1.5; color: #1a1a1a; max-width: 640px;">
<h2 style="color: #1f4e79; margin: 0 0 4px;">{{topic}}</h2>
<p style="color: #6b6b6b; margin: 0 0 16px;">Conversation {{conversation_id}} · sentiment: {{sentiment}}</p>
<h3 style="margin-bottom: 4px;">Summary</h3>
<p>{{summary}}</p>
<h3 style="margin-bottom: 4px;">Key points</h3>
{{key_points}}
<h3 style="margin-bottom: 4px;">Action items</h3>
{{action_items}}
<h3 style="margin-bottom: 4px;">Report</h3>
<p>{{report_note}} {{report_link}}</p>
<h3 style="margin-bottom: 4px;">Warnings</h3>
{{warnings}}
<p style="color: #6b6b6b; font-size: 12px; margin-top: 24px;">Processing id {{processing_id}} · sent by Postprocess</p>
</div>`;

/** A composed email: one header-safe subject line, an HTML part and its plain-text twin. */
export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

/**
 * Composes the email of a job from the account's templates (or the defaults). Throws TemplateError when a
 * template uses an unknown placeholder.
 */
export function composeEmail(input: {
  envelope: { processing_id: string; conversation_id: string; account_id: string };
  summary: SummaryFile;
  warnings: { code: string; message: string }[];
  report: ReportPart;
  templates: { subject: string | null; body: string | null };
}): EmailContent {
  const { envelope, summary, report } = input;
  const grounded = (items: SummaryFile["key_points"]): { list: ListItem[] } => ({
    list: items.map((i) => ({
      ...(typeof i.at_secs === "number" ? { lead: `[${clock(i.at_secs)}]` } : {}),
      text: i.text,
    })),
  });
  const url = report.kind === "linked" ? report.url : "";
  const values: TemplateValues = {
    summary: summary.summary,
    topic: summary.topic,
    sentiment: summary.sentiment,
    conversation_id: envelope.conversation_id,
    processing_id: envelope.processing_id,
    account_id: envelope.account_id,
    agent_id: summary.agent_id ?? "",
    key_points: grounded(summary.key_points),
    action_items: grounded(summary.action_items),
    warnings: { list: input.warnings.map((w) => ({ lead: `${w.code}:`, text: w.message })) },
    report_url: url,
    report_link: { link: url },
    report_note: reportNote(report),
  };
  const body = input.templates.body || defaultBodyTemplate;
  const subject = headerText(
    renderTemplate(input.templates.subject || defaultSubjectTemplate, values, "line"),
  );
  return {
    subject: subject || headerText(renderTemplate(defaultSubjectTemplate, values, "line")),
    html: renderTemplate(body, values, "html"),
    text: renderTemplate(body, values, "text"),
  };
}

function reportNote(report: ReportPart): string {
  switch (report.kind) {
    case "attached":
      return `The full report is attached (${report.fileName}).`;
    case "linked":
      return `The full report is too large to attach; download it here (the link expires ${when(report.expiresAt)}):`;
    case "none":
      return "No PDF report was made for this call (see the warnings).";
  }
}

function when(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : `${t.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
