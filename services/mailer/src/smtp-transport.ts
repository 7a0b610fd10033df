import nodemailer, { type Transporter } from "nodemailer";

/** Where the SMTP relay is and how to sign in (from the config). */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  pass?: string | undefined;
  /** Pool size (default 2). */
  maxConnections?: number;
}

/**
 * A pooled nodemailer transport: a few kept-open connections rather than a handshake per email. Timeouts
 * are bounded, so a relay that stops answering becomes a retriable failure instead of a stuck step.
 */
export function createSmtpTransport(s: SmtpSettings): Transporter {
  return nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user && s.pass ? { auth: { user: s.user, pass: s.pass } } : {}),
    pool: true,
    maxConnections: s.maxConnections ?? 2,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
