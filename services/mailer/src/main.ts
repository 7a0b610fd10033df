import { s3FromConfig, startWorker } from "@postprocess/worker";
import { loadConfig } from "./config.ts";
import { createDeliveryStore } from "./delivery-store.ts";
import { createMailerHandler } from "./handle-report-generated.ts";
import { createSmtpTransport } from "./smtp-transport.ts";

const config = loadConfig();
const s3 = s3FromConfig(config);
const transport = createSmtpTransport({
  host: config.SMTP_HOST,
  port: config.SMTP_PORT,
  secure: config.SMTP_SECURE,
  user: config.SMTP_USER,
  pass: config.SMTP_PASS,
  maxConnections: config.SMTP_MAX_CONNECTIONS,
});
await startWorker({
  name: "mailer",
  config,
  handlers: (rt) => ({
    reportGenerated: createMailerHandler({
      producer: rt.producer,
      jobs: rt.jobs,
      deliveries: createDeliveryStore(rt.orm),
      s3,
      transport,
      from: { name: config.MAIL_FROM_NAME, address: config.MAIL_FROM_ADDRESS },
      attachMaxBytes: config.MAIL_ATTACH_MAX_BYTES,
    }),
  }),
  // After the consumer and producer: an email in flight finishes before the pool closes.
  close: [{ disconnect: async () => transport.close() }],
});
