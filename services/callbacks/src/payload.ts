import type { EventOf } from "@postprocess/contracts";

type StatusEvent = EventOf<"processingStatus">;

/** The two outcomes an account is called back about. */
export type CallbackEventType = "job.completed" | "job.failed";

/** The files a callback links to (presigned GET URLs copied from the status event's artifacts). */
const linkedFiles = ["report", "transcript", "audio"] as const;

/**
 * The JSON body of a callback, in Standard Webhooks' `{type, timestamp, data}` shape. It is built once, when
 * the delivery is enqueued, and every attempt sends it byte for byte (only the signature headers change).
 */
export interface CallbackPayload {
  type: CallbackEventType;
  /** When the job reached its outcome (its `completed_at`, else the status record's `updated_at`). */
  timestamp: string;
  data: {
    processing_id: string;
    conversation_id: string;
    status: "completed" | "failed";
    summary: string | null;
    topic: string | null;
    sentiment: string | null;
    key_points: StatusEvent["key_points"];
    action_items: StatusEvent["action_items"];
    warnings: StatusEvent["warnings"];
    /** `{code, message}` of a failed job; null for a completed one. */
    error: StatusEvent["error"];
    created_at: string;
    completed_at: string | null;
    total_duration_ms: number | null;
    /** The status record's version this payload was built from. */
    version: number;
    links: {
      /** The gateway's status endpoint of the job (always present; needs the account's API key). */
      status: string;
      report: string | null;
      transcript: string | null;
      audio: string | null;
    };
    /** When the earliest of the presigned file links expires (null when there is none). */
    links_expire_at: string | null;
  };
}

/** The callback type of a status, or undefined for statuses nobody is called back about. */
export function callbackTypeOf(status: StatusEvent["status"]): CallbackEventType | undefined {
  if (status === "completed") return "job.completed";
  if (status === "failed") return "job.failed";
  return undefined;
}

/** The callback body for a terminal `completed`/`failed` status record; undefined for any other status. */
export function buildCallbackPayload(event: StatusEvent, publicBaseUrl: string): CallbackPayload | undefined {
  const type = callbackTypeOf(event.status);
  if (!type) return undefined;
  const links: CallbackPayload["data"]["links"] = {
    status: `${publicBaseUrl.replace(/\/+$/, "")}/api/v1/postprocess/status/${event.processing_id}`,
    report: null,
    transcript: null,
    audio: null,
  };
  const expiries: string[] = [];
  for (const fileType of linkedFiles) {
    const file = event.artifacts.find((a) => a.file_type === fileType && a.url);
    if (!file?.url) continue;
    links[fileType] = file.url;
    if (file.url_expires_at) expiries.push(file.url_expires_at);
  }
  return {
    type,
    timestamp: event.completed_at ?? event.updated_at,
    data: {
      processing_id: event.processing_id,
      conversation_id: event.conversation_id,
      status: event.status as "completed" | "failed",
      summary: event.summary ?? null,
      topic: event.topic ?? null,
      sentiment: event.sentiment ?? null,
      key_points: event.key_points,
      action_items: event.action_items,
      warnings: event.warnings,
      error: event.error ?? null,
      created_at: event.created_at,
      completed_at: event.completed_at ?? null,
      total_duration_ms: event.total_duration_ms ?? null,
      version: event.version,
      links,
      links_expire_at: expiries.sort()[0] ?? null,
    },
  };
}
