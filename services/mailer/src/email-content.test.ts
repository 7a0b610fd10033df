import { describe, expect, it } from "vitest";
import { composeEmail, type ReportPart, type SummaryFile } from "./email-content.ts";
import { TemplateError } from "./template.ts";

const summary: SummaryFile = {
  summary: "The caller asked for a refund of an annual renewal.",
  topic: "Refund request",
  sentiment: "neutral",
  key_points: [{ text: "Customer wants a refund", turns: [1], at_secs: 7.5 }],
  action_items: [
    { text: "Email the refund form", turns: [4], at_secs: 61 },
    { text: "Follow up next week", turns: [], at_secs: null },
  ],
  model: "local",
};
const envelope = { processing_id: "proc_1", conversation_id: "conv_1", account_id: "acme" };
const compose = (over: { report?: ReportPart; subject?: string | null; body?: string | null } = {}) =>
  composeEmail({
    envelope,
    summary,
    warnings: [{ code: "NO_AUDIO", message: "the conversation has no recording" }],
    report: over.report ?? { kind: "attached", fileName: "report.pdf" },
    templates: { subject: over.subject ?? null, body: over.body ?? null },
  });

describe("composeEmail", () => {
  it("default templates: subject, summary, grounded items with their times, warnings, in both parts", () => {
    const mail = compose();
    expect(mail.subject).toBe("Call summary: Refund request (conv_1)");
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain(summary.summary);
      expect(part).toContain("Customer wants a refund");
      expect(part).toContain("NO_AUDIO:");
      expect(part).toContain("The full report is attached (report.pdf).");
    }
    expect(mail.html).toContain("<li><strong>[0:07]</strong> Customer wants a refund</li>");
    expect(mail.html).toContain("<li><strong>[1:01]</strong> Email the refund form</li>");
    expect(mail.html).toContain("<li>Follow up next week</li>");
    expect(mail.text).toContain("- [0:07] Customer wants a refund");
    expect(mail.text).toContain("- [1:01] Email the refund form\n- Follow up next week");
    expect(mail.text).not.toMatch(/<[a-z]/);
  });

  it("links a report too large to attach, and says when there is none", () => {
    const linked = compose({
      report: {
        kind: "linked",
        url: "http://s3/r.pdf?X-Amz-Expires=86400&s=1",
        expiresAt: "2026-11-27T12:00:00Z",
      },
    });
    expect(linked.html).toContain('<a href="http://s3/r.pdf?X-Amz-Expires=86400&#38;s=1">');
    expect(linked.text).toContain(
      "(the link expires 2026-11-27 12:00 UTC): http://s3/r.pdf?X-Amz-Expires=86400&s=1",
    );
    const none = compose({ report: { kind: "none" } });
    expect(none.text).toContain("No PDF report was made for this call (see the warnings).");
    expect(none.html).not.toContain("<a href");
  });

  it("uses the account's templates; a subject can never span lines", () => {
    const mail = compose({
      subject: "[{{sentiment}}] {{topic}}\r\nBcc: evil@example.test",
      body: "<p>Hello from Acme: {{summary}}</p>",
    });
    expect(mail.subject).toBe("[neutral] Refund request Bcc: evil@example.test");
    expect(mail.html).toBe(`<p>Hello from Acme: ${summary.summary}</p>`);
    expect(mail.text).toBe(`Hello from Acme: ${summary.summary}`);
  });

  it("refuses a template with an unknown placeholder", () => {
    expect(() => compose({ body: "Dear {{customer}}" })).toThrow(TemplateError);
  });
});
