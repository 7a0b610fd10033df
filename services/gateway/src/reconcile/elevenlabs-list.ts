import { retryAfterMs } from "@postprocess/kafka";
import { fetchFailureReason } from "@postprocess/worker";
import { z } from "zod";

/**
 * The one ElevenLabs call the reconciliation sweep makes: `GET /v1/convai/conversations` (shared/docs/
 * external-apis.md §3), over fetch. The key goes in `xi-api-key` to the configured base URL and nowhere else:
 * redirects are refused, because fetch drops only `Authorization` on a cross-origin redirect and would hand
 * `xi-api-key` to whatever host a `Location` names. Failures leave here classified; the key is never part of
 * a message.
 */
export interface ElevenLabsLister {
  listConversations(query: ListQuery): Promise<ConversationsPage>;
}

/** One page request. */
export interface ListQuery {
  apiKey: string;
  /** Only this agent's conversations (null: all of the key's). */
  agentId: string | null;
  /** `call_start_after_unix` / `call_start_before_unix`, whole seconds. */
  startedAfterSecs: number;
  startedBeforeSecs: number;
  pageSize: number;
  cursor: string | null;
}

// Only what the sweep reads, and only required fields ([EL-OAS] ConversationSummary); the rest is ignored.
const summary = z.object({
  conversation_id: z.string().min(1),
  agent_id: z.string(),
  start_time_unix_secs: z.number(),
  call_duration_secs: z.number(),
  status: z.string(),
});
const page = z.object({
  conversations: z.array(summary),
  next_cursor: z.string().nullish(),
  has_more: z.boolean(),
});

/** A `ConversationSummary`, as the sweep needs it. */
export type ConversationSummary = z.output<typeof summary>;

/** A `GetConversationsPageResponseModel`. */
export interface ConversationsPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** 429: ElevenLabs wants this key to slow down; `retryAfterMs` when it said for how long. */
export class ElevenLabsRateLimitedError extends Error {
  override name = "ElevenLabsRateLimitedError";
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs: number | undefined) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 401/403: the stored key was refused (revoked, or lacks the permission); retrying cannot help. */
export class ElevenLabsUnauthorizedError extends Error {
  override name = "ElevenLabsUnauthorizedError";
}

/** Anything else: unreachable, timed out, 5xx, a redirect, a body that is not a page. The next run tries again. */
export class ElevenLabsUnavailableError extends Error {
  override name = "ElevenLabsUnavailableError";
}

export interface ElevenLabsListerOptions {
  /** ELEVENLABS_BASE_URL, e.g. https://api.elevenlabs.io (or a residency host). */
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function createElevenLabsLister(opts: ElevenLabsListerOptions): ElevenLabsLister {
  const endpoint = `${opts.baseUrl.replace(/\/+$/, "")}/v1/convai/conversations`;
  const doFetch = opts.fetch ?? fetch;
  return {
    async listConversations(q) {
      const url = new URL(endpoint);
      url.searchParams.set("page_size", String(q.pageSize));
      url.searchParams.set("call_start_after_unix", String(q.startedAfterSecs));
      url.searchParams.set("call_start_before_unix", String(q.startedBeforeSecs));
      if (q.agentId) url.searchParams.set("agent_id", q.agentId);
      if (q.cursor) url.searchParams.set("cursor", q.cursor);
      let res: Response;
      let body: string;
      try {
        res = await doFetch(url, {
          headers: { "xi-api-key": q.apiKey, accept: "application/json" },
          redirect: "manual",
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        body = await res.text();
      } catch (err) {
        throw new ElevenLabsUnavailableError(
          `could not list ElevenLabs conversations: ${fetchFailureReason(err)}`,
          {
            cause: err,
          },
        );
      }
      const what = `ElevenLabs answered HTTP ${res.status} to the conversation list`;
      if (res.status === 401 || res.status === 403) throw new ElevenLabsUnauthorizedError(what);
      if (res.status === 429)
        throw new ElevenLabsRateLimitedError(what, retryAfterMs(res.headers.get("retry-after")));
      if (res.status !== 200) throw new ElevenLabsUnavailableError(what);
      let parsed: z.ZodSafeParseResult<z.output<typeof page>>;
      try {
        parsed = page.safeParse(JSON.parse(body));
      } catch (err) {
        throw new ElevenLabsUnavailableError("ElevenLabs sent a conversation list that is not JSON", {
          cause: err,
        });
      }
      if (!parsed.success)
        throw new ElevenLabsUnavailableError(
          `ElevenLabs sent a conversation list in an unknown shape: ${z.prettifyError(parsed.error)}`,
        );
      const { conversations, next_cursor, has_more } = parsed.data;
      if (has_more && !next_cursor)
        throw new ElevenLabsUnavailableError("ElevenLabs said has_more without a next_cursor");
      return { conversations, nextCursor: has_more ? next_cursor! : null, hasMore: has_more };
    },
  };
}
