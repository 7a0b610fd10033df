import { newProcessingId } from "@postprocess/db";
import { inbox, test, waitFor, waitForMail } from "@postprocess/testkit";
import { expect } from "vitest";
import { closedPort, insertJob, jobDatabase, reportEvent, startMailer } from "./testing/mail-job.ts";

// The mailer's failure paths on the real stack (split from the happy paths so the two files run in parallel).

test("waits for the projector: the recipient is unknown until the job row exists, then the email goes out", async ({
  env,
  s3,
  bucket,
  databaseUrl,
  mailbox,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId, { recipient: null });
  const mailer = await startMailer(env, orm, s3, { retry: { attempts: 20, baseMs: 50, maxMs: 200 } });
  try {
    await mailer.producer.send("reportGenerated", await reportEvent(s3, bucket, { processingId }));
    const [retried] = await mailer.waitFor("stepEvent", "a retried step", (e) =>
      e.some((s) => s.status === "retried"),
    );
    expect(mailer.events("stepEvent").find((s) => s.status === "retried")?.error?.message).toContain(
      "job not projected yet",
    );
    expect(retried).toBeDefined();
    await insertJob(orm, processingId, mailbox);
    await waitForMail(env, mailbox);
    await mailer.waitFor("emailSent", "email-sent", (e) => e.length > 0);
  } finally {
    await mailer.close();
  }
});

test("a cancelled job sends no email", async ({ env, s3, bucket, databaseUrl, mailbox }) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId, { recipient: mailbox, status: "cancelled" });
  const mailer = await startMailer(env, orm, s3);
  try {
    await mailer.producer.send("reportGenerated", await reportEvent(s3, bucket, { processingId }));
    const steps = await mailer.waitFor("stepEvent", "the cancelled step", (e) => e.length > 0);
    expect(steps.map((s) => s.status)).toEqual(["cancelled"]);
    expect(mailer.events("emailSent")).toEqual([]);
    expect(await inbox(env, mailbox)).toEqual([]);
  } finally {
    await mailer.close();
  }
});

test("SMTP unreachable: retried, then the job fails with EMAIL_FAILED and nothing is marked sent", async ({
  env,
  s3,
  bucket,
  databaseUrl,
  mailbox,
}) => {
  const processingId = newProcessingId();
  const orm = await jobDatabase(databaseUrl, processingId, { recipient: mailbox });
  // A port nothing listens on: every connection is refused.
  const mailer = await startMailer(env, orm, s3, {
    smtpPort: await closedPort(),
    retry: { attempts: 2, baseMs: 10, maxMs: 50, retryTopicAttempts: 1 },
  });
  try {
    await mailer.producer.send("reportGenerated", await reportEvent(s3, bucket, { processingId }));
    const steps = await mailer.waitFor("stepEvent", "the failed step", (e) =>
      e.some((s) => s.status === "failed"),
    );
    const statuses = steps
      .filter((s) => s.status !== "started")
      .map((s) => [s.status, s.attempt, s.error?.code]);
    expect(statuses).toEqual([
      ["retried", 1, "EMAIL_FAILED"],
      ["retried", 2, "EMAIL_FAILED"],
      ["failed", 3, "EMAIL_FAILED"],
    ]);
    expect(steps.find((s) => s.status === "failed")?.error?.message).toMatch(/SMTP unavailable/);
    expect(mailer.events("emailSent")).toEqual([]);
    const rows = await orm.em.fork().getConnection().execute("SELECT status, attempts FROM email_deliveries");
    expect(rows).toEqual([{ status: "sending", attempts: 3 }]);
    await waitFor("nothing delivered", async () => (await inbox(env, mailbox)).length === 0);
  } finally {
    await mailer.close();
  }
});
