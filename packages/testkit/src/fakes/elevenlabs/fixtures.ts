import type { WireConversation, WireTranscriptItem } from "./wire.ts";

/**
 * Conversations for the fake, in the wire format. The realistic one follows the real captured payload of
 * shared/docs/external-apis.md §1 (b): tool calls and results as agent entries with `message: null`, an
 * interrupted turn, `tool_calls: null` next to `[]`, empty and whitespace-only messages, two entries at the
 * same second, and fields a client does not know. Every builder returns a fresh object; `over` replaces
 * top-level fields (e.g. `conversation_id`).
 */

/** Ids of the fixtures as `demoFixtures` serves them. */
export const fixtureIds = {
  realistic: "conv_01jwzz3ygceg7v0te0rewn2nzj",
  long: "conv_01jx0000long0000000000000",
  nonLatin: "conv_01jx00000nonlatin00000000",
  noAudio: "conv_01jx0000000noaudio0000000",
} as const;

const AGENT = "agent_01jwwmjdzzecpbk0j5jd1348cx";
const START = 1749124522;

/** The fields every transcript entry carries on the wire, with the defaults GET returns. */
function entry(e: Partial<WireTranscriptItem> & Pick<WireTranscriptItem, "role" | "time_in_call_secs">) {
  return {
    message: null,
    tool_calls: [],
    tool_results: [],
    feedback: null,
    llm_override: null,
    conversation_turn_metrics: null,
    rag_retrieval_info: null,
    llm_usage: null,
    interrupted: false,
    original_message: null,
    source_medium: e.role === "user" ? "audio" : null,
    ...e,
  } satisfies WireTranscriptItem;
}

function metadata(over: Partial<WireConversation["metadata"]> = {}): WireConversation["metadata"] {
  return {
    start_time_unix_secs: START,
    accepted_time_unix_secs: START + 1,
    call_duration_secs: 159,
    cost: 1057,
    deletion_settings: {
      deletion_time_unix_secs: null,
      deleted_logs_at_time_unix_secs: null,
      deleted_audio_at_time_unix_secs: null,
      deleted_transcript_at_time_unix_secs: null,
      delete_transcript_and_pii: false,
      delete_audio: false,
    },
    feedback: { overall_score: null, likes: 0, dislikes: 0 },
    authorization_method: "signed_url",
    charging: { dev_discount: false, tier: "creator", llm_price: 0.110631 },
    phone_call: {
      direction: "outbound",
      phone_number_id: "phnum_01jwx8k0f0e8x9t3b4cn2d1qrs",
      agent_number: "+19122998165",
      external_number: "+919800000000",
      type: "twilio",
      stream_sid: "MZd1f0c0ffee00000000000000000000",
      call_sid: "CA03c0ffee000000000000000000000000",
    },
    batch_call: null,
    termination_reason: "Client disconnected",
    error: null,
    main_language: "en",
    rag_usage: null,
    text_only: false,

    ...over,
  };
}

function conversation(
  transcript: WireTranscriptItem[],
  over: Partial<WireConversation> & Pick<WireConversation, "conversation_id">,
): WireConversation {
  return {
    agent_id: AGENT,
    agent_name: "Grievance desk",
    status: "done",
    user_id: null,
    transcript,
    metadata: metadata(),
    analysis: {
      evaluation_criteria_results: {},
      data_collection_results: {},
      call_successful: "success",
      transcript_summary: "The agent collected the caller's grievance number and reported its status.\n",
      call_summary_title: "Grievance status",
    },
    conversation_initiation_client_data: {
      conversation_config_override: { tts: null, conversation: null, agent: null },
      custom_llm_extra_body: {},
      dynamic_variables: { user_name: "Angelo", system__conversation_id: over.conversation_id },
    },
    has_audio: true,
    has_user_audio: true,
    has_response_audio: true,
    ...over,
  };
}

/** A done call with every transcript quirk of the real API (see the file comment). */
export function realisticConversation(over: Partial<WireConversation> = {}): WireConversation {
  const id = over.conversation_id ?? fixtureIds.realistic;
  const transcript: WireTranscriptItem[] = [
    entry({
      role: "agent",
      time_in_call_secs: 0,
      message: "Hello Angelo, this is Priya from the grievance helpline. Is now a good time?",
      conversation_turn_metrics: { metrics: { convai_llm_service_ttfb: { elapsed_time: 0.41 } } },
    }),
    entry({ role: "user", time_in_call_secs: 5, message: "Yes, go ahead." }),
    entry({
      role: "agent",
      time_in_call_secs: 10,
      message: "I need to collect your details so that",
      interrupted: true,
      original_message:
        "I need to collect your details so that I can look up your grievance and tell you where it stands.",
    }),
    entry({ role: "user", time_in_call_secs: 20, message: "Can you speak in Tamil?" }),
    entry({
      role: "agent",
      time_in_call_secs: 29,
      tool_calls: [
        {
          type: "system",
          request_id: "toolu_01langdetect",
          tool_name: "language_detection",
          params_as_json: '{"language": "ta",  "reason": "user asked"}',
          tool_has_been_called: true,
          tool_details: null,
        },
      ],
    }),
    entry({
      role: "agent",
      time_in_call_secs: 29,
      tool_results: [
        {
          type: "system",
          request_id: "toolu_01langdetect",
          tool_name: "language_detection",
          result_value: '{"status": "success"}',
          is_error: false,
          tool_has_been_called: true,
          tool_latency_secs: 0.0001,
        },
      ],
    }),
    entry({
      role: "agent",
      time_in_call_secs: 31,
      message: "சரி, நான் தமிழில் பேசுகிறேன். உங்கள் புகார் எண் என்ன?",
      tool_calls: null,
      tool_results: null,
    }),
    entry({ role: "user", time_in_call_secs: 38, message: "" }),
    entry({ role: "user", time_in_call_secs: 41, message: "DARPG/E/2025/0012345" }),
    entry({
      role: "agent",
      time_in_call_secs: 44,
      message: null,
      tool_calls: [
        {
          type: "webhook",
          request_id: "toolu_02lookup",
          tool_name: "lookup_grievance",
          params_as_json: '{\n  "grievance_id": "DARPG/E/2025/0012345"\n}',
          tool_has_been_called: true,
          tool_details: { type: "webhook", method: "GET", url: "https://grievances.example/api" },
        },
      ],
    }),
    entry({
      role: "agent",
      time_in_call_secs: 46,
      message: null,
      tool_results: [
        {
          type: "client",
          request_id: "toolu_02lookup",
          tool_name: "lookup_grievance",
          result_value: '{"status": "under_review", "office": "Chennai"}',
          is_error: false,
          tool_has_been_called: true,
          tool_latency_secs: 0.82,
        },
      ],
    }),
    entry({
      role: "agent",
      time_in_call_secs: 48,
      message: "உங்கள் புகார் சென்னை அலுவலகத்தில் பரிசீலனையில் உள்ளது.",
      feedback: { score: "like", time_in_call_secs: 50 },
    }),
    entry({ role: "user", time_in_call_secs: 70, message: "Thank you, I'll wait for the email." }),
    entry({ role: "agent", time_in_call_secs: 74, message: "   " }),
    entry({ role: "agent", time_in_call_secs: 75, message: "You're welcome. Goodbye!" }),
  ];
  // Newer optional fields the 2026 SDK knows and a client must ignore.
  Object.assign(transcript[0]!, { agent_metadata: { agent_id: AGENT }, multivoice_message: null });
  return conversation(transcript, {
    visited_agents: [],
    environment: "production",
    ...over,
    conversation_id: id,
  });
}

/** A long call: `turns` entries alternating agent and user, with a tool call and result every 50. */
export function longConversation(turns = 400, over: Partial<WireConversation> = {}): WireConversation {
  const transcript: WireTranscriptItem[] = [];
  for (let i = 0; i < turns; i++) {
    const t = i * 4;
    if (i % 50 === 49) {
      transcript.push(
        entry({
          role: "agent",
          time_in_call_secs: t,
          tool_calls: [
            {
              type: "webhook",
              request_id: `toolu_long_${i}`,
              tool_name: "check_inventory",
              params_as_json: JSON.stringify({ sku: `SKU-${i}` }),
              tool_has_been_called: true,
            },
          ],
        }),
      );
      continue;
    }
    const role = i % 2 === 0 ? "agent" : "user";
    const message =
      role === "agent"
        ? `Step ${i}: let me go through the next item of your order with you, one line at a time.`
        : `Reply ${i}: yes, that line is right, please keep going.`;
    transcript.push(entry({ role, time_in_call_secs: t, message }));
  }
  return conversation(transcript, {
    conversation_id: fixtureIds.long,
    metadata: metadata({ start_time_unix_secs: START + 3600, call_duration_secs: turns * 4 }),
    ...over,
  });
}

/** A call in Tamil, Japanese and Russian (non-Latin scripts for fonts and encodings). */
export function nonLatinConversation(over: Partial<WireConversation> = {}): WireConversation {
  const lines: [WireTranscriptItem["role"], string][] = [
    ["agent", "வணக்கம்! நான் உங்களுக்கு எப்படி உதவ முடியும்?"],
    ["user", "என் ஆர்டர் இன்னும் வரவில்லை."],
    ["agent", "ご注文番号を教えていただけますか？"],
    ["user", "はい、番号は 4711 です。"],
    ["agent", "Спасибо! Ваш заказ будет доставлен завтра."],
    ["user", "Отлично, спасибо большое! 🙏"],
  ];
  return conversation(
    lines.map(([role, message], i) => entry({ role, message, time_in_call_secs: i * 6 })),
    {
      conversation_id: fixtureIds.nonLatin,
      metadata: metadata({ start_time_unix_secs: START + 7200, call_duration_secs: 40, main_language: "ta" }),
      ...over,
    },
  );
}

/** A done call without a recording (`has_audio: false`). */
export function noAudioConversation(over: Partial<WireConversation> = {}): WireConversation {
  return conversation(
    [
      entry({ role: "agent", time_in_call_secs: 0, message: "Hi, how can I help?" }),
      entry({ role: "user", time_in_call_secs: 3, message: "I'd like a refund for my annual plan." }),
      entry({ role: "agent", time_in_call_secs: 9, message: "I've sent you the refund form by email." }),
    ],
    {
      conversation_id: fixtureIds.noAudio,
      metadata: metadata({ start_time_unix_secs: START + 10_800, call_duration_secs: 12 }),
      has_audio: false,
      has_user_audio: false,
      has_response_audio: false,
      ...over,
    },
  );
}

/** What `serve.ts` loads: every fixture, with recordings of a plausible size. */
export function demoFixtures(): { conversation: WireConversation; audioBytes?: number }[] {
  return [
    { conversation: realisticConversation(), audioBytes: 512 * 1024 },
    { conversation: longConversation(), audioBytes: 2 * 1024 * 1024 },
    { conversation: nonLatinConversation(), audioBytes: 128 * 1024 },
    { conversation: noAudioConversation() },
  ];
}
