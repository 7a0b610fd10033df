import nodemailer from "nodemailer";
import { expect } from "vitest";
import { test } from "../fixtures.ts";
import { waitForMail } from "../mail.ts";

test("nodemailer delivers a message with a PDF attachment that GreenMail's API returns", async ({
  env,
  mailbox,
}) => {
  const transport = nodemailer.createTransport({ host: env.SMTP_HOST, port: env.SMTP_PORT, secure: false });
  const pdf = Buffer.from("%PDF-1.4\n% smoke\n%%EOF\n");
  await transport.sendMail({
    from: "Postprocess <reports@postprocess.test>",
    to: mailbox,
    subject: "Smoke report",
    text: "See attached.",
    attachments: [{ filename: "report.pdf", content: pdf, contentType: "application/pdf" }],
  });
  transport.close();
  const [msg] = await waitForMail(env, mailbox);
  expect(msg!.subject).toBe("Smoke report");
  expect(msg!.mimeMessage).toContain("application/pdf");
  expect(msg!.mimeMessage).toContain(pdf.toString("base64").trim());
});
