import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt } from "./timestamps.ts";

/** The states of a job's email (`valid_email_delivery_status`): claimed and being sent, or accepted by SMTP. */
export const emailDeliveryStatuses = ["sending", "sent"] as const;

/**
 * The one email of a job (`email_deliveries`): claimed by the mailer before it talks to SMTP and marked
 * `sent` once the server accepted it, so a redelivered event sends nothing twice. The mailer is its only
 * writer; no foreign key, so it never waits on the projector.
 */
export const EmailDelivery = defineEntity({
  name: "EmailDelivery",
  tableName: "email_deliveries",
  properties: {
    processingId: p.string().length(40).primary(),
    accountId: p.string().length(64),
    recipient: p.string().length(255),
    /** The deterministic `Message-ID` (`<processing_id@postprocess>`): a resend after a crash is recognisable. */
    messageId: p.string().length(255),
    status: p.enum(emailDeliveryStatuses).columnType("varchar(16)").default("sending"),
    /** Sends begun for this job (a redelivery of a row still `sending` retries). */
    attempts: p.integer().default(1),
    createdAt: createdAt(),
    sentAt: p.datetime().nullable(),
  },
});

/** A row of `email_deliveries`. */
export type EmailDelivery = InferEntity<typeof EmailDelivery>;
