import type { EventOf } from "@postprocess/contracts";
import type { ProjectorInput } from "./apply-event.ts";

/** A settings snapshot as the gateway puts in `conversation.ended` (non-default values, so it shows). */
export const sampleSettings: NonNullable<EventOf<"conversationEnded">["settings"]> = {
  default_email_template: null,
  email_subject_template: "Call {{conversation_id}}",
  email_from_name: "Support",
  email_from_address: null,
  max_file_size_mb: 20,
  processing_timeout_minutes: 15,
  enable_audio_storage: false,
  enable_transcript_storage: true,
  enable_report_generation: true,
  openai_model: "gpt-4o",
  openai_max_tokens: 1500,
  custom_system_prompt: null,
  minio_bucket_name: null,
  file_retention_days: 60,
};

/** Builds a consistent stream of events for one job, as the pipeline would emit them. */
export function jobStream(opts: {
  processingId: string;
  conversationId?: string;
  accountId?: string;
  t0?: number;
}) {
  const base = {
    processing_id: opts.processingId,
    conversation_id: opts.conversationId ?? `conv-${opts.processingId.slice(-6)}`,
    account_id: opts.accountId ?? "acc_demo",
  };
  let t = opts.t0 ?? Date.UTC(2026, 10, 26, 12, 0, 0);
  let n = 0;
  const next = () => {
    t += 1000;
    n += 1;
    return {
      ...base,
      event_id: `evt_${opts.processingId.slice(5)}_${String(n).padStart(3, "0")}`,
      occurred_at: new Date(t).toISOString(),
    };
  };
  const ended = (settings: EventOf<"conversationEnded">["settings"] = sampleSettings): ProjectorInput => {
    const env = next();
    return {
      topic: "conversationEnded",
      event: {
        event_id: env.event_id,
        occurred_at: env.occurred_at,
        account_id: env.account_id,
        conversation_id: env.conversation_id,
        processing_id: env.processing_id,
        email_id: "ops@example.test",
        source: { kind: "inline", agent_id: null, transcript: [], audio_url: null },
        labels: {},
        settings,
      },
    };
  };
  const step = (
    s: EventOf<"stepEvent">["step"],
    status: EventOf<"stepEvent">["status"],
    extra: Partial<EventOf<"stepEvent">> = {},
  ): ProjectorInput => ({
    topic: "stepEvent",
    event: {
      ...next(),
      step: s,
      status,
      attempt: 1,
      duration_ms: null,
      error: null,
      warning: null,
      ...extra,
    },
  });
  const file = (
    type: "transcript" | "audio" | "report",
    key: string,
  ): EventOf<"artifactsStored">["files"][number] => ({
    file_type: type,
    file_name: key.split("/").pop()!,
    bucket: "postprocess",
    key,
    size: 1234,
    sha256: "a".repeat(64),
    content_type:
      type === "report" ? "application/pdf" : type === "audio" ? "audio/mpeg" : "application/json",
    url: `http://s3.test/${key}?X-Amz-Expires=3600`,
    url_expires_at: new Date(t + 3600_000).toISOString(),
  });
  const pid = opts.processingId;
  const happyPath = (): ProjectorInput[] => [
    ended(),
    step("extract", "started"),
    step("extract", "completed", { duration_ms: 120 }),
    step("store", "started"),
    {
      topic: "artifactsStored",
      event: {
        ...next(),
        files: [file("transcript", `acc/${pid}/transcript.json`), file("audio", `acc/${pid}/audio.mp3`)],
        warnings: [],
        transcript: file("transcript", `acc/${pid}/transcript.json`),
        settings: null,
      },
    },
    step("store", "completed", { duration_ms: 300 }),
    step("summarize", "started"),
    {
      topic: "summaryGenerated",
      event: {
        ...next(),
        summary: "The caller asked about a refund.",
        topic: "Refund",
        sentiment: "neutral",
        key_points: [{ text: "Refund requested", turns: [0], at_secs: 1 }],
        action_items: [{ text: "Send refund form", turns: [1], at_secs: 4 }],
        model: "local",
        prompt_tokens: null,
        completion_tokens: null,
        transcript: null,
        summary_file: null,
        warnings: [],
        settings: null,
      },
    },
    step("summarize", "completed", { duration_ms: 50 }),
    step("report", "started"),
    {
      topic: "reportGenerated",
      event: {
        ...next(),
        report: file("report", `acc/${pid}/report.pdf`),
        summary_file: null,
        warnings: [],
        settings: null,
      },
    },
    step("report", "completed", { duration_ms: 40 }),
    step("email", "started"),
    { topic: "emailSent", event: { ...next(), recipient: "ops@example.test", message_id: "<m1@test>" } },
    step("email", "completed", { duration_ms: 30 }),
  ];
  return { ended, step, next, happyPath };
}
