import { RetriableError } from "@postprocess/kafka";
import { StepError } from "@postprocess/worker";

/** The fields nodemailer puts on its errors (`lib/smtp-connection`: `_formatError`). */
interface SmtpErrorShape {
  code?: string;
  /** The server's reply code, when the server replied (e.g. 550, 451). */
  responseCode?: number;
  /** The server's full reply line(s). */
  response?: string;
  /** The SMTP command that failed (`RCPT TO`, `DATA`, `CONN`…). */
  command?: string;
}

// Failures of our own message or envelope that no retry changes (nodemailer refuses before the server
// answers, e.g. a message over the server's declared SIZE).
const permanentWithoutReply = new Set(["EENVELOPE", "EMESSAGE", "EAUTH", "ENOAUTH", "ECONFIG"]);

/**
 * Maps a nodemailer failure to the step's taxonomy, at the boundary: a 5xx reply is a permanent rejection
 * (`SMTP_REJECTED`, with the server's reply in the message, so the job's error says what the server said);
 * a 4xx reply, a refused or dropped connection, a timeout or a TLS hiccup is transient (retried; once the
 * retries run out the job fails with `EMAIL_FAILED`).
 */
export function smtpFailure(err: unknown): StepError | RetriableError {
  const e = (err ?? {}) as SmtpErrorShape & Error;
  const reply = e.response ? e.response.replace(/\s+/g, " ").trim().slice(0, 500) : undefined;
  const where = e.command ? ` (${e.command})` : "";
  if (typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600) {
    return new StepError("SMTP_REJECTED", `SMTP server rejected the message${where}: ${reply}`, {
      cause: err,
    });
  }
  if (typeof e.responseCode === "number" && e.responseCode >= 400) {
    return new RetriableError(`SMTP server deferred the message${where}: ${reply}`, { cause: err });
  }
  if (e.code && permanentWithoutReply.has(e.code)) {
    return new StepError("SMTP_REJECTED", `SMTP send refused${where}: ${e.message}`, { cause: err });
  }
  return new RetriableError(`SMTP unavailable${where}: ${e.message ?? String(err)}`, { cause: err });
}
