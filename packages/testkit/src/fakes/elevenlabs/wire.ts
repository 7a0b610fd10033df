/**
 * The ElevenLabs wire models the fake serves, snake_case as on the wire (shared/docs/external-apis.md §1, §3).
 * Only what fixtures set is typed; optional fields are the ones the real API may leave out or null.
 */

/** `status` of a conversation. */
export type ConversationStatus = "initiated" | "in-progress" | "processing" | "done" | "failed";

/** One entry of `tool_calls`. `params_as_json` is JSON encoded as a string. */
export interface WireToolCall {
  type?: string | null;
  request_id: string;
  tool_name: string;
  params_as_json: string;
  tool_has_been_called: boolean;
  tool_details?: Record<string, unknown> | null;
}

/** One entry of `tool_results`. `result_value` is a string (often JSON). */
export interface WireToolResult {
  type?: string;
  request_id: string;
  tool_name: string;
  result_value: string;
  is_error: boolean;
  tool_has_been_called: boolean;
  tool_latency_secs?: number;
}

/** A transcript item (`ConversationHistoryTranscriptCommonModel-Output`). */
export interface WireTranscriptItem {
  role: "user" | "agent";
  message?: string | null;
  tool_calls?: WireToolCall[] | null;
  tool_results?: WireToolResult[] | null;
  feedback?: { score: "like" | "dislike"; time_in_call_secs: number } | null;
  llm_override?: string | null;
  time_in_call_secs: number;
  conversation_turn_metrics?: Record<string, unknown> | null;
  rag_retrieval_info?: Record<string, unknown> | null;
  llm_usage?: Record<string, unknown> | null;
  interrupted?: boolean;
  original_message?: string | null;
  source_medium?: string | null;
}

/** `GetConversationResponseModel`. */
export interface WireConversation {
  agent_id: string;
  agent_name?: string | null;
  conversation_id: string;
  status: ConversationStatus;
  user_id?: string | null;
  transcript: WireTranscriptItem[];
  metadata: {
    start_time_unix_secs: number;
    call_duration_secs: number;
    accepted_time_unix_secs?: number | null;
    cost?: number | null;
    termination_reason?: string;
    main_language?: string | null;
    [field: string]: unknown;
  };
  analysis?: {
    call_successful: "success" | "failure" | "unknown";
    transcript_summary: string;
    call_summary_title?: string | null;
    evaluation_criteria_results?: Record<string, unknown>;
    data_collection_results?: Record<string, unknown>;
  } | null;
  conversation_initiation_client_data?: Record<string, unknown>;
  has_audio: boolean;
  has_user_audio: boolean;
  has_response_audio: boolean;
  /** Newer optional fields ([EL-JS]); clients ignore them. */
  visited_agents?: unknown[];
  environment?: string;
}

/** `ConversationSummary`, an item of the list endpoint (§3). */
export interface WireConversationSummary {
  agent_id: string;
  agent_name?: string | null;
  conversation_id: string;
  start_time_unix_secs: number;
  call_duration_secs: number;
  message_count: number;
  status: ConversationStatus;
  call_successful: "success" | "failure" | "unknown";
  transcript_summary?: string | null;
  call_summary_title?: string | null;
  direction?: string | null;
}

/** `GetConversationsPageResponseModel`. */
export interface WireConversationsPage {
  conversations: WireConversationSummary[];
  next_cursor: string | null;
  has_more: boolean;
}
