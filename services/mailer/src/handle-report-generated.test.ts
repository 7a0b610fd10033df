import { newProcessingId } from "@postprocess/db";
import { freshMailbox, inbox, test, waitForMail } from "@postprocess/testkit";
import { expect } from "vitest";
import { jobDatabase, reportEvent, samplePdf, sampleSummary, startMailer } from "./testing/mail-job.ts";
import { header, parseMime } from "./testing/mime.ts";

const textOf = (parts: ReturnType<typeof parseMime>["parts"], type: string) =>
  parts.find((p) => p.contentType === type)?.body.toString("utf8") ?? "";

test("emails the job's recipient: summary with timestamps, report attached, email-sent published", async ({
  env,
  s3,
  bucket,
  databaseUrl,
  mailbox,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId, { recipient: mailbox });
  const mailer = await startMailer(env, orm, s3);
  try {
    const input = await reportEvent(s3, bucket, { processingId });
    await mailer.producer.send("reportGenerated", input);
    const [mail] = await waitForMail(env, mailbox);
    const [sent] = await mailer.waitFor("emailSent", "email-sent", (e) => e.length > 0);
    const steps = await mailer.waitFor("stepEvent", "email started and completed", (e) => e.length >= 2);

    expect(mail!.subject).toBe("Call summary: Refund request (conv_1)");
    const { headers, parts } = parseMime(mail!.mimeMessage);
    expect(header(headers, "message-id")).toBe(`<${processingId}@postprocess>`);
    expect(header(headers, "from")).toBe("Postprocess <reports@postprocess.test>");
    expect(header(headers, "auto-submitted")).toBe("auto-generated");
    const text = textOf(parts, "text/plain");
    const html = textOf(parts, "text/html");
    expect(text).toContain(sampleSummary.summary);
    expect(text).toContain("- [0:07] Customer wants a refund");
    expect(text).toContain("- [1:01] Email the refund form");
    expect(text).toContain("NO_AUDIO: the conversation has no recording");
    expect(html).toContain("<li><strong>[0:07]</strong> Customer wants a refund</li>");
    const pdf = parts.find((p) => p.contentType === "application/pdf");
    expect(pdf?.filename).toBe("report.pdf");
    expect(pdf?.body.equals(samplePdf)).toBe(true);

    expect(sent).toMatchObject({
      processing_id: processingId,
      recipient: mailbox,
      message_id: `<${processingId}@postprocess>`,
    });
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ["email", "started"],
      ["email", "completed"],
    ]);
  } finally {
    await mailer.close();
  }
});

test("templates are safe: values escaped in HTML, no header injection through subject or sender name", async ({
  env,
  s3,
  bucket,
  databaseUrl,
  mailbox,
}) => {
  const processingId = newProcessingId();
  const bcc = freshMailbox();
  const orm = await jobDatabase(databaseUrl, processingId, {
    recipient: mailbox,
    settings: {
      email_subject_template: `{{topic}} ({{sentiment}})\r\nBcc: ${bcc}`,
      default_email_template: "<h1>{{topic}}</h1><p>{{summary}}</p>{{key_points}}",
      email_from_name: `Acme\r\nBcc: ${bcc}`,
      email_from_address: "calls@acme.example",
    },
  });
  const mailer = await startMailer(env, orm, s3);
  try {
    const summary = {
      ...sampleSummary,
      topic: "<script>alert(1)</script>\r\nBcc: x@y.example",
      summary: 'He said "<b>refund</b> & {{report_url}}"',
    };
    await mailer.producer.send("reportGenerated", await reportEvent(s3, bucket, { processingId, summary }));
    const [mail] = await waitForMail(env, mailbox);
    await mailer.waitFor("emailSent", "email-sent", (e) => e.length > 0);

    const { headers, parts } = parseMime(mail!.mimeMessage);
    // Every header is one of nodemailer's own: no Bcc, and the injected text stayed inside its header.
    expect(headers.filter((h) => /^bcc:/i.test(h))).toEqual([]);
    expect(mail!.subject).toBe(`<script>alert(1)</script> Bcc: x@y.example (neutral) Bcc: ${bcc}`);
    expect(header(headers, "from")).toContain("<calls@acme.example>");
    const html = textOf(parts, "text/html");
    expect(html).toContain("<h1>&#60;script&#62;alert(1)&#60;/script&#62;");
    expect(html).not.toContain("<script>");
    expect(html).toContain("He said &#34;&#60;b&#62;refund&#60;/b&#62; &#38; {{report_url}}&#34;");
    expect(textOf(parts, "text/plain")).toContain('He said "<b>refund</b> & {{report_url}}"');
    expect(await inbox(env, bcc)).toEqual([]);
    expect(await inbox(env, "x@y.example")).toEqual([]);
  } finally {
    await mailer.close();
  }
});

test("the same report-generated delivered twice: exactly one email, email-sent published again with the same id", async ({
  env,
  s3,
  bucket,
  databaseUrl,
  mailbox,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId, { recipient: mailbox });
  const mailer = await startMailer(env, orm, s3);
  try {
    const input = await reportEvent(s3, bucket, { processingId });
    await mailer.producer.send("reportGenerated", input);
    await mailer.waitFor("emailSent", "the first email-sent", (e) => e.length === 1);
    await mailer.producer.send("reportGenerated", input);
    const sent = await mailer.waitFor("emailSent", "email-sent of the redelivery", (e) => e.length === 2);

    // The same event (same id: consumers drop it as seen); only its occurred_at is the moment of re-publishing.
    expect({ ...sent[1], occurred_at: null }).toEqual({ ...sent[0], occurred_at: null });
    // The second delivery has finished (it published), so a second message would be there by now.
    expect(await inbox(env, mailbox)).toHaveLength(1);
    const rows = await orm.em.fork().getConnection().execute("SELECT status, attempts FROM email_deliveries");
    expect(rows).toEqual([{ status: "sent", attempts: 1 }]);
  } finally {
    await mailer.close();
  }
});

test("report disabled: no attachment, REPORT_DISABLED shown", async ({
  env,
  s3,
  bucket,
  databaseUrl,
  mailbox,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId, { recipient: mailbox });
  const mailer = await startMailer(env, orm, s3);
  try {
    const warnings = [
      { code: "REPORT_DISABLED", message: "report generation is turned off in the account's settings" },
    ];
    await mailer.producer.send(
      "reportGenerated",
      await reportEvent(s3, bucket, { processingId, report: false, warnings }),
    );
    const [mail] = await waitForMail(env, mailbox);
    const { parts } = parseMime(mail!.mimeMessage);
    expect(parts.map((p) => p.contentType)).toEqual(["text/plain", "text/html"]);
    const text = textOf(parts, "text/plain");
    expect(text).toContain("No PDF report was made for this call (see the warnings).");
    expect(text).toContain("- REPORT_DISABLED: report generation is turned off in the account's settings");
    expect(textOf(parts, "text/html")).toContain("<strong>REPORT_DISABLED:</strong>");
  } finally {
    await mailer.close();
  }
});

test("a report over MAIL_ATTACH_MAX_BYTES is linked (presigned, 24 h) instead of attached", async ({
  env,
  s3,
  bucket,
  databaseUrl,
  mailbox,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId, { recipient: mailbox });
  const mailer = await startMailer(env, orm, s3, { attachMaxBytes: samplePdf.length - 1 });
  try {
    await mailer.producer.send("reportGenerated", await reportEvent(s3, bucket, { processingId }));
    const [mail] = await waitForMail(env, mailbox);
    const { parts } = parseMime(mail!.mimeMessage);
    expect(parts.some((p) => p.contentType === "application/pdf")).toBe(false);
    const text = textOf(parts, "text/plain");
    expect(text).toContain("The full report is too large to attach; download it here");
    const url = /(http:\/\/\S+X-Amz-Expires=86400\S*)/.exec(text)?.[1];
    expect(url, "a presigned link in the text part").toBeDefined();
    expect(textOf(parts, "text/html")).toContain(`<a href="${url!.replaceAll("&", "&#38;")}">`);
    const served = Buffer.from(await (await fetch(url!)).arrayBuffer());
    expect(served.equals(samplePdf)).toBe(true);
  } finally {
    await mailer.close();
  }
});
