import { RetriableError, RetryAfterError, retryAfterMs } from "@postprocess/kafka";
import {
  conversationSchema,
  type ElevenLabsConversation,
  fetchFailureReason,
  StepError,
} from "@postprocess/worker";
import { z } from "zod";

/**
 * The slice of the ElevenLabs Agents Platform API the pipeline uses, over fetch (no SDK: its camelCase
 * objects, own retries and 240 s timeout would all be in the way). Every failure leaves here already
 * classified for the step: a StepError when retrying cannot help, RetryAfterError when ElevenLabs said
 * when to come back, RetriableError for everything transient. The key is sent, never logged or echoed.
 */
export interface ElevenLabsClient {
  /** `apiKey`: the account's own key; the deployment's when undefined. */
  getConversation(
    conversationId: string,
    opts?: { signal?: AbortSignal; apiKey?: string },
  ): Promise<ElevenLabsConversation>;
  /** The recording's URL (`GET …/audio`, needs `xi-api-key`): storage streams it from there. */
  audioUrl(conversationId: string): string;
}

export interface ElevenLabsClientOptions {
  baseUrl: string;
  /** Undefined when the deployment has none: every call then fails with ELEVENLABS_UNAUTHORIZED. */
  apiKey: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function createElevenLabsClient(opts: ElevenLabsClientOptions): ElevenLabsClient {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const doFetch = opts.fetch ?? fetch;
  const conversationUrl = (id: string) => `${base}/v1/convai/conversations/${encodeURIComponent(id)}`;

  return {
    audioUrl: (id) => `${conversationUrl(id)}/audio`,

    async getConversation(id, { signal, apiKey = opts.apiKey } = {}) {
      if (!apiKey)
        throw new StepError(
          "ELEVENLABS_UNAUTHORIZED",
          `ELEVENLABS_API_KEY is not configured, so conversation ${id} cannot be fetched from ElevenLabs`,
        );
      const timeout = AbortSignal.timeout(opts.timeoutMs);
      let res: Response;
      let body: string;
      try {
        res = await doFetch(conversationUrl(id), {
          headers: { "xi-api-key": apiKey, accept: "application/json" },
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        body = await res.text();
      } catch (err) {
        if (timeout.aborted && !signal?.aborted)
          throw new RetriableError(
            `ElevenLabs did not answer within ${opts.timeoutMs} ms (conversation ${id})`,
            { cause: err },
          );
        if (signal?.aborted) throw err;
        throw new RetriableError(
          `could not reach ElevenLabs (conversation ${id}): ${fetchFailureReason(err)}`,
          {
            cause: err,
          },
        );
      }
      if (!res.ok) throw failure(res, body, id);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch (err) {
        throw new RetriableError(`ElevenLabs sent a body that is not JSON (conversation ${id})`, {
          cause: err,
        });
      }
      const parsed = conversationSchema.safeParse(json);
      if (!parsed.success)
        throw new StepError(
          "INPUT_INVALID",
          `ElevenLabs sent conversation ${id} in a shape the extractor cannot read: ${z.prettifyError(parsed.error)}`,
          { cause: parsed.error },
        );
      return parsed.data;
    },
  };
}

/** An HTTP error answer, classified. */
function failure(res: Response, body: string, id: string): Error {
  const what = `ElevenLabs answered HTTP ${res.status}${detailOf(body)} for conversation ${id}`;
  switch (true) {
    case res.status === 401 || res.status === 403:
      return new StepError("ELEVENLABS_UNAUTHORIZED", `${what}: the API key was refused`);
    case res.status === 404:
      return new StepError("ELEVENLABS_NOT_FOUND", `ElevenLabs has no conversation ${id} (HTTP 404)`);
    case res.status === 429 || res.status === 503: {
      const ms = retryAfterMs(res.headers.get("retry-after"));
      if (ms !== undefined) return new RetryAfterError(ms, `${what}; retry after ${ms} ms`);
      return new RetriableError(what);
    }
    case res.status === 408 || res.status >= 500:
      return new RetriableError(what);
    default:
      return new StepError("INPUT_INVALID", `${what}: the request was rejected`);
  }
}

/** ` (invalid_api_key: Invalid API key)` from an ElevenLabs error body, or nothing. */
function detailOf(body: string): string {
  try {
    const detail = (JSON.parse(body) as { detail?: unknown }).detail;
    if (typeof detail === "string") return ` (${detail.slice(0, 200)})`;
    if (detail && typeof detail === "object" && !Array.isArray(detail)) {
      const d = detail as { status?: unknown; code?: unknown; message?: unknown };
      const code = typeof d.code === "string" ? d.code : typeof d.status === "string" ? d.status : undefined;
      const message = typeof d.message === "string" ? d.message.slice(0, 200) : undefined;
      const text = [code, message].filter(Boolean).join(": ");
      return text ? ` (${text})` : "";
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status says enough.
  }
  return "";
}
