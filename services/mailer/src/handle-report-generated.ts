import type { EventOf } from "@postprocess/contracts";
import { type HandlerContext, RetriableError } from "@postprocess/kafka";
import {
  type JobSettings,
  type JobStore,
  presign,
  readObject,
  runStep,
  type StepDeps,
  StepError,
} from "@postprocess/worker";
import type * as Minio from "minio";
import type { SendMailOptions } from "nodemailer";
import { headerText, mailbox } from "./address.ts";
import type { DeliveryStore } from "./delivery-store.ts";
import { composeEmail, type ReportPart, summaryFileSchema } from "./email-content.ts";
import { smtpFailure } from "./smtp-errors.ts";
import { TemplateError } from "./template.ts";

type Input = EventOf<"reportGenerated">;

/** The one thing the mailer asks of nodemailer (a Transporter has it). */
export interface MailTransport {
  sendMail(message: SendMailOptions): Promise<unknown>;
}

/** What the email step needs: the worker runtime's producer and job store, its own table, S3 and SMTP. */
export interface MailerDeps {
  producer: StepDeps["producer"];
  jobs: JobStore;
  deliveries: DeliveryStore;
  s3: Minio.Client;
  transport: MailTransport;
  /** The sender of accounts that set none. */
  from: { name: string; address: string };
  /** Reports up to this size are attached; larger ones are linked. */
  attachMaxBytes: number;
}

/** The deterministic Message-ID of a job's email: a resend after a crash is recognisably the same mail. */
export const messageIdOf = (processingId: string) => `<${processingId}@postprocess>`;

/**
 * The `email` step, the pipeline's last: one email per job to the address the job was submitted with,
 * summary in the body, report attached (or linked when large). A job whose email `email_deliveries`
 * already records as sent sends nothing and hands `email-sent` on again (same event id).
 */
export function createMailerHandler(deps: MailerDeps) {
  return async (event: Input, ctx: HandlerContext): Promise<void> => {
    await runStep({
      step: "email",
      input: event,
      ctx,
      deps,
      exhaustedCode: "EMAIL_FAILED",
      async work(w) {
        const handOn = (recipient: string, messageId: string) => ({
          emit: [
            {
              topic: "emailSent" as const,
              context: ctx,
              event: { ...w.envelope("emailSent"), recipient, message_id: messageId },
            },
          ],
        });
        const earlier = await deps.deliveries.sent(event.processing_id);
        if (earlier) {
          ctx.log.info(
            { messageId: earlier.messageId },
            "email already sent for this job; not sending again",
          );
          return handOn(earlier.recipient, earlier.messageId);
        }

        const { recipient, from, content, attachment } = await prepare(deps, event, w.settings);
        // The last point to stop: a cancelled job sends no email.
        await w.checkCancelled();

        const messageId = messageIdOf(event.processing_id);
        const { delivery, sentNow } = await deps.deliveries.sendOnce(
          { processingId: event.processing_id, accountId: event.account_id, recipient, messageId },
          async () => {
            await deps.transport
              .sendMail({
                from,
                to: recipient,
                subject: content.subject,
                text: content.text,
                html: content.html,
                messageId,
                headers: { "Auto-Submitted": "auto-generated" },
                attachments: attachment
                  ? [{ filename: "report.pdf", content: attachment, contentType: "application/pdf" }]
                  : [],
                // Nothing in a message may make nodemailer read a file or fetch a URL.
                disableFileAccess: true,
                disableUrlAccess: true,
              })
              .catch((err: unknown) => {
                throw smtpFailure(err);
              });
          },
        );
        ctx.log.info({ messageId, sentNow, attached: Boolean(attachment) }, "email sent");
        return handOn(delivery.recipient, delivery.messageId);
      },
    });
  };
}

/**
 * Everything the email needs, before anything is sent: the recipient (from the projected job), the sender,
 * the summary (summary.json), the report (attached or linked) and the rendered content.
 */
async function prepare(deps: MailerDeps, event: Input, settings: JobSettings) {
  const stored = await deps.deliveries.recipientOf(event.processing_id);
  if (!stored) throw new RetriableError("job not projected yet: its recipient (email_id) is unknown");
  const recipient = mailbox(stored);
  if (!recipient) throw new StepError("INPUT_INVALID", "the job's email_id is not a valid email address");
  const from = sender(settings, deps.from);

  if (!event.summary_file) {
    throw new StepError("INPUT_INVALID", "report-generated carries no summary_file reference");
  }
  const summary = summaryFileSchema.safeParse(parseJson(await readObject(deps.s3, event.summary_file)));
  if (!summary.success) throw new StepError("INPUT_INVALID", "summary.json is not a summary");
  const { part, attachment } = await reportPart(deps, event.report);
  try {
    const content = composeEmail({
      envelope: event,
      summary: summary.data,
      warnings: event.warnings,
      report: part,
      templates: { subject: settings.emailSubjectTemplate, body: settings.emailTemplate },
    });
    return { recipient, from, content, attachment };
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new StepError("INPUT_INVALID", `the account's email template: ${err.message}`, { cause: err });
  }
}

/** The account's sender when it set one (and it is a valid address), else the service's. */
function sender(settings: JobSettings, fallback: MailerDeps["from"]): { name: string; address: string } {
  const address = settings.emailFromAddress ? mailbox(settings.emailFromAddress) : fallback.address;
  if (!address)
    throw new StepError("INPUT_INVALID", "the account's email_from_address is not a valid address");
  return { name: headerText(settings.emailFromName || fallback.name, 100), address };
}

/** Attach the PDF when small enough, link it (freshly presigned: a full expiry from now) when not. */
async function reportPart(
  deps: MailerDeps,
  report: Input["report"],
): Promise<{ part: ReportPart; attachment?: Buffer }> {
  if (!report) return { part: { kind: "none" } };
  if (report.size <= deps.attachMaxBytes) {
    return {
      part: { kind: "attached", fileName: "report.pdf" },
      attachment: await readObject(deps.s3, report),
    };
  }
  const link = await presign(deps.s3, report.bucket, report.key);
  return { part: { kind: "linked", url: link.url, expiresAt: link.expiresAt } };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new StepError("INPUT_INVALID", "summary.json is not JSON", { cause: err });
  }
}
