import { s3ConfigSchema, workerConfigSchema } from "@postprocess/worker";
import { z } from "zod";

/** The mailer's settings: the worker's and S3's, the SMTP server and the default sender. */
export const configSchema = workerConfigSchema.extend({
  ...s3ConfigSchema.shape,
  // The SMTP server that relays the emails (GreenMail on 13025 locally).
  SMTP_HOST: z.string().min(1),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(587),
  // Implicit TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it.
  SMTP_SECURE: z.stringbool().default(false),
  // Credentials, when the relay wants them (both or neither).
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASS: z.string().min(1).optional(),
  // Connections kept open to the relay. Emails beyond this wait inside the mailer: with WORKER_CONCURRENCY
  // (6) partitions at once, raising it to 6 raised the in-process benchmark from 36 to 44 jobs/s against
  // GreenMail. Kept low by default because relays limit concurrent connections per client.
  SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(2),
  // The sender of accounts whose settings name none.
  MAIL_FROM_ADDRESS: z.email().default("reports@postprocess.local"),
  MAIL_FROM_NAME: z.string().min(1).default("Postprocess"),
  // Reports up to this size travel as an attachment; larger ones as a presigned link (mail servers
  // commonly refuse messages over 10-25 MB, and base64 adds a third).
  MAIL_ATTACH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 1024 * 1024),
});

export type Config = z.infer<typeof configSchema>;

/** Parses the configuration once, in main; throws listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema
    .refine((c) => !c.SMTP_USER === !c.SMTP_PASS, {
      path: ["SMTP_PASS"],
      message: "SMTP_USER and SMTP_PASS go together",
    })
    .safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid mailer configuration: ${problems}`);
  }
  return parsed.data;
}
