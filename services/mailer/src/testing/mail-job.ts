import { createServer } from "node:net";
import type { MikroORM } from "@mikro-orm/postgresql";
import { type EventOf, newEventId } from "@postprocess/contracts";
import { createOrm, migrate, newProcessingId } from "@postprocess/db";
import type { RetryPolicy } from "@postprocess/kafka";
import type { StackEnv } from "@postprocess/testkit/stack";
import { createJobStore, objectKey } from "@postprocess/worker";
import { stepHarness } from "@postprocess/worker/testing";
import type * as Minio from "minio";
import { createDeliveryStore } from "../delivery-store.ts";
import type { SummaryFile } from "../email-content.ts";
import { createMailerHandler, type MailerDeps } from "../handle-report-generated.ts";
import { createSmtpTransport } from "../smtp-transport.ts";

/** Integration-test setup of the mailer: a job in a migrated database, its inputs in S3, the step on Kafka. */

export interface JobOptions {
  /** The job's `email_id`; null leaves the job unprojected (no row). */
  recipient: string | null;
  status?: string;
  settings?: {
    default_email_template?: string;
    email_subject_template?: string;
    email_from_name?: string;
    email_from_address?: string;
  };
}

export async function jobDatabase(url: string, processingId: string, opts: JobOptions): Promise<MikroORM> {
  const orm = createOrm({ clientUrl: url });
  await migrate(orm);
  const sql = orm.em.fork().getConnection();
  await sql.execute("INSERT INTO accounts (id, name) VALUES ('acme', 'Acme')");
  if (opts.settings) {
    const cols = Object.keys(opts.settings);
    await sql.execute(
      `INSERT INTO account_settings (account_id, ${cols.join(", ")}) VALUES ('acme', ${cols.map(() => "?").join(", ")})`,
      Object.values(opts.settings),
    );
  }
  if (opts.recipient !== null) await insertJob(orm, processingId, opts.recipient, opts.status);
  return orm;
}

/** The job row as the projector writes it on `conversation.ended`. */
export async function insertJob(
  orm: MikroORM,
  processingId: string,
  recipient: string,
  status = "generating_report",
) {
  await orm.em
    .fork()
    .getConnection()
    .execute(
      `INSERT INTO conversation_processing (processing_id, conversation_id, email_id, account_id, status)
       VALUES (?, 'conv_1', ?, 'acme', ?)`,
      [processingId, recipient, status],
    );
}

export const sampleSummary: SummaryFile = {
  summary: "The caller asked for a refund of an annual renewal; the agent confirmed eligibility.",
  topic: "Refund request",
  sentiment: "neutral",
  key_points: [{ text: "Customer wants a refund", turns: [1], at_secs: 7.5 }],
  action_items: [{ text: "Email the refund form", turns: [4], at_secs: 61 }],
  model: "local",
};

/** A report-generated event with summary.json (and the report PDF, unless `report` is false) in S3. */
export async function reportEvent(
  s3: Minio.Client,
  bucket: string,
  opts: {
    processingId?: string;
    summary?: SummaryFile;
    report?: Buffer | false;
    warnings?: EventOf<"reportGenerated">["warnings"];
  } = {},
): Promise<EventOf<"reportGenerated">> {
  const envelope = {
    processing_id: opts.processingId ?? newProcessingId(),
    conversation_id: "conv_1",
    account_id: "acme",
  };
  const put = async (name: string, body: Buffer, type: string, fileType: "summary" | "report") => {
    const key = objectKey(envelope, name);
    await s3.putObject(bucket, key, body, body.length, { "Content-Type": type });
    return {
      file_type: fileType,
      file_name: name,
      bucket,
      key,
      size: body.length,
      sha256: "0".repeat(64),
      content_type: type,
      url: null,
      url_expires_at: null,
    };
  };
  const summary = Buffer.from(JSON.stringify(opts.summary ?? sampleSummary));
  return {
    ...envelope,
    event_id: newEventId(),
    occurred_at: new Date().toISOString(),
    summary_file: await put("summary.json", summary, "application/json", "summary"),
    report:
      opts.report === false
        ? null
        : await put("report.pdf", opts.report ?? samplePdf, "application/pdf", "report"),
    warnings: opts.warnings ?? [{ code: "NO_AUDIO", message: "the conversation has no recording" }],
    settings: null,
  };
}

/** Stand-in report bytes (the mailer attaches what S3 holds; it never reads the PDF). */
export const samplePdf = Buffer.from(`%PDF-1.3\n% a report\n${"x".repeat(2000)}\n%%EOF\n`);

/** The mailer step on a fresh topic prefix, wired to the stack's GreenMail unless `smtpPort` says otherwise. */
export async function startMailer(
  env: StackEnv,
  orm: MikroORM,
  s3: Minio.Client,
  opts: { smtpPort?: number; attachMaxBytes?: number; retry?: Partial<RetryPolicy> } = {},
) {
  const h = await stepHarness(env, {
    input: "reportGenerated",
    outputs: ["emailSent", "stepEvent"],
    group: "mailer",
  });
  const transport = createSmtpTransport({
    host: env.SMTP_HOST,
    port: opts.smtpPort ?? env.SMTP_PORT,
    secure: false,
  });
  const deps: MailerDeps = {
    producer: h.producer,
    jobs: createJobStore(orm),
    deliveries: createDeliveryStore(orm),
    s3,
    transport,
    from: { name: "Postprocess", address: "reports@postprocess.test" },
    attachMaxBytes: opts.attachMaxBytes ?? 5 * 1024 * 1024,
  };
  await h.start({ reportGenerated: createMailerHandler(deps) }, opts.retry);
  return {
    ...h,
    async close() {
      await h.close();
      transport.close();
      await orm.close();
    },
  };
}

/** A local port nothing listens on (bound once to find it, then released): connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
