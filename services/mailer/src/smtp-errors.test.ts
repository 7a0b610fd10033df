import { RetriableError } from "@postprocess/kafka";
import { StepError } from "@postprocess/worker";
import { describe, expect, it } from "vitest";
import { smtpFailure } from "./smtp-errors.ts";

/**
 * GreenMail accepts every recipient and message, so it cannot be made to answer 5xx: the classification is
 * checked here against errors shaped exactly as nodemailer builds them (`_formatError`: message plus
 * ": " + reply, `code`, `response`, `responseCode`, `command`). The transient path (connection refused)
 * runs against a real closed port in the handler's integration test.
 */
function nodemailerError(message: string, code: string, response?: string, command?: string) {
  const err = new Error(response ? `${message}: ${response}` : message) as Error & Record<string, unknown>;
  err.code = code;
  if (response) {
    err.response = response;
    err.responseCode = Number(response.slice(0, 3));
  }
  if (command) err.command = command;
  return err;
}

describe("smtpFailure", () => {
  it("a 5xx reply fails the job with SMTP_REJECTED and the server's reply", () => {
    const err = smtpFailure(
      nodemailerError(
        "Can't send mail - all recipients were rejected",
        "EENVELOPE",
        "550 5.1.1 <nobody@acme.example>: Recipient address rejected: User unknown",
        "RCPT TO",
      ),
    );
    expect(err).toBeInstanceOf(StepError);
    expect(err).toMatchObject({
      code: "SMTP_REJECTED",
      message:
        "SMTP server rejected the message (RCPT TO): 550 5.1.1 <nobody@acme.example>: Recipient address rejected: User unknown",
    });
    expect(
      smtpFailure(nodemailerError("Message failed", "EMESSAGE", "554 5.7.1 spam", "DATA")),
    ).toMatchObject({
      code: "SMTP_REJECTED",
    });
    expect(
      smtpFailure(nodemailerError("Invalid login", "EAUTH", "535 5.7.8 bad credentials", "AUTH PLAIN")),
    ).toMatchObject({
      code: "SMTP_REJECTED",
    });
  });

  it("a 4xx reply is retried", () => {
    const err = smtpFailure(
      nodemailerError("Data command failed", "EENVELOPE", "451 4.3.0 try again later", "DATA"),
    );
    expect(err).toBeInstanceOf(RetriableError);
    expect(err.message).toContain("451 4.3.0 try again later");
  });

  it("connection failures and timeouts are retried", () => {
    for (const code of ["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ETLS"]) {
      expect(
        smtpFailure(nodemailerError("connect ECONNREFUSED 127.0.0.1:9", code, undefined, "CONN")),
      ).toBeInstanceOf(RetriableError);
    }
    expect(smtpFailure(new Error("socket hang up"))).toBeInstanceOf(RetriableError);
  });

  it("a message or envelope nodemailer refuses before any reply is permanent", () => {
    expect(
      smtpFailure(
        nodemailerError("Message size larger than allowed 1000", "EMESSAGE", undefined, "MAIL FROM"),
      ),
    ).toMatchObject({
      code: "SMTP_REJECTED",
    });
  });
});
