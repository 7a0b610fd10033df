import { avroRecord, optional } from "../avro.ts";
import { JobSettingsRecord } from "./job-settings.ts";
import { NS, Turn } from "./shared.ts";

/**
 * PUBLIC input contract: a call has ended and should be processed. The gateway publishes it; other
 * systems may publish it straight to Kafka. `processing_id` is set by the gateway; when another system
 * leaves it null the pipeline derives one deterministically from `event_id`.
 */
export const conversationEndedSchema = avroRecord({
  type: "record",
  name: "ConversationEnded",
  namespace: NS,
  doc: "A finished conversation to post-process. Key: conversation_id.",
  fields: [
    { name: "event_id", type: "string" },
    { name: "occurred_at", type: "string", doc: "ISO-8601 UTC." },
    { name: "account_id", type: "string" },
    { name: "conversation_id", type: "string" },
    optional("processing_id", "string"),
    { name: "email_id", type: "string", doc: "Report recipient (an email address)." },
    {
      name: "source",
      type: {
        type: "record",
        name: "Source",
        namespace: NS,
        fields: [
          {
            name: "kind",
            type: { type: "enum", name: "SourceKind", namespace: NS, symbols: ["elevenlabs", "inline"] },
            doc: "elevenlabs: fetch by conversation_id; inline: the transcript is in this event.",
          },
          optional("agent_id", "string"),
          { name: "transcript", type: { type: "array", items: Turn }, default: [] },
          optional("audio_url", "string", "inline only: where the recording can be fetched."),
        ],
      },
    },
    { name: "labels", type: { type: "map", values: "string" }, default: {} },
    optional(
      "settings",
      JobSettingsRecord,
      "The account's settings when the job was accepted (the gateway always sets it); every step of the job " +
        "runs with them. Null: each step reads the account's settings as they are when it starts.",
    ),
  ],
});
