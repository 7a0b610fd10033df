import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { RetriableError, RetryAfterError, retryAfterMs } from "@postprocess/kafka";
import {
  createGuardedAgents,
  createOutboundGuard,
  isBlockedAddressError,
  type OutboundPolicy,
  sendRequest,
} from "@postprocess/worker";

/** Where recordings come from and how long a silent source is waited for (parsed once in main). */
export interface AudioSourceSettings {
  /** ElevenLabs' API base URL: only URLs on its host get the API key. */
  elevenLabsBaseUrl: string;
  elevenLabsApiKey: string | undefined;
  /** Longest wait for the response headers (and, while copying, between bytes). */
  timeoutMs: number;
  /**
   * Fetch recordings from private/loopback/link-local addresses too. Off by default (SSRF); ElevenLabs'
   * configured host is always allowed. Turn on only for trusted internal media servers.
   */
  allowPrivateNetworks?: boolean;
  /** Name resolution for audio hosts: the OS resolver unless a test injects one (DNS-rebinding tests). */
  resolve?: OutboundPolicy["resolve"];
}

/**
 * An opened recording, or the reason there is none to copy (a warning, not a failure; its code is
 * AUDIO_UNAVAILABLE unless the source names a more precise one).
 */
export type AudioSource =
  | { kind: "stream"; body: Readable; contentType: string; contentLength: number | undefined }
  | { kind: "unavailable"; reason: string; code?: "AUDIO_NOT_RECEIVED" };

const redirects = new Set([301, 302, 303, 307, 308]);
const maxRedirects = 5;
/** When a 429 names no Retry-After: long enough not to hammer the source, short next to the job timeout. */
const defaultRetryAfterMs = 2000;

/**
 * Opens the recording at `url` for streaming. Outcomes: a stream; `unavailable` for a source that says the
 * recording is gone or refused (404/410 and other 4xx, a non-HTTP URL) — retrying would not bring it back;
 * `RetryAfterError` on 429; `RetriableError` on 408/5xx, a network failure or a timeout.
 *
 * Redirects are followed by hand so the ElevenLabs key goes only to ElevenLabs' own host: fetch would
 * forward a custom header such as `xi-api-key` to whatever host a redirect names (a CDN, anyone).
 *
 * Private-network addresses are refused by the connection itself (`createGuardedAgents`): each hop's socket
 * resolves the name once and connects only to the addresses it checked, so a DNS server answering "public"
 * to a check and "private" to the fetch (DNS rebinding) gets nowhere.
 */
export async function openAudio(
  url: string,
  settings: AudioSourceSettings,
  signal?: AbortSignal,
): Promise<AudioSource> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return { kind: "unavailable", reason: "the audio URL is not a valid URL" };
  }
  const elevenLabsHost = new URL(settings.elevenLabsBaseUrl).host;
  // No keep-alive pool: a recording is one long download, and nothing lingers after it.
  const agents = createGuardedAgents(
    createOutboundGuard({
      allowPrivateNetworks: settings.allowPrivateNetworks,
      trustedHostnames: [new URL(settings.elevenLabsBaseUrl).hostname],
      resolve: settings.resolve,
    }),
  );
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new Error(`no response within ${settings.timeoutMs} ms`)),
    settings.timeoutMs,
  );
  // The same signal governs the body later: a shutdown stops the copy too.
  const combined = signal ? AbortSignal.any([timeout.signal, signal]) : timeout.signal;
  try {
    for (let hop = 0; ; hop++) {
      if (current.protocol !== "http:" && current.protocol !== "https:") {
        return { kind: "unavailable", reason: `the audio URL's scheme ${current.protocol} is not HTTP(S)` };
      }
      // Some CDNs refuse requests without a user agent (fetch sent one; node:http does not).
      const headers: Record<string, string> = { "user-agent": "Postprocess-Storage/1.0" };
      if (settings.elevenLabsApiKey && current.host === elevenLabsHost) {
        headers["xi-api-key"] = settings.elevenLabsApiKey;
      }
      let res: IncomingMessage;
      try {
        res = await sendRequest(current, { headers, signal: combined }, agents);
      } catch (err) {
        if (isBlockedAddressError(err)) {
          return {
            kind: "unavailable",
            reason: `the audio URL's host ${current.hostname} is a private network address (refused; see AUDIO_ALLOW_PRIVATE_NETWORKS)`,
          };
        }
        const why = timeout.signal.aborted ? "timed out" : "unreachable";
        throw new RetriableError(`audio source ${current.host} ${why}`, { cause: err });
      }
      const status = res.statusCode ?? 0;
      if (redirects.has(status)) {
        res.destroy();
        const location = res.headers.location;
        if (!location || hop >= maxRedirects) {
          return { kind: "unavailable", reason: `audio source ${current.host} redirects without end` };
        }
        current = new URL(location, current);
        continue;
      }
      if (status >= 200 && status < 300) {
        const length = res.headers["content-length"];
        return {
          kind: "stream",
          body: res,
          contentType: mediaType(res.headers["content-type"] ?? null) ?? "audio/mpeg",
          contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
        };
      }
      res.destroy();
      const what = `audio source ${current.host} answered ${status}`;
      if (status === 429)
        throw new RetryAfterError(retryAfterMs(res.headers["retry-after"]) ?? defaultRetryAfterMs, what);
      if (status === 408 || status >= 500) throw new RetriableError(what);
      return { kind: "unavailable", reason: what };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** `audio/mpeg` from `Audio/MPEG; charset=x`; undefined when absent. */
export function mediaType(header: string | null): string | undefined {
  const essence = header?.split(";")[0]?.trim().toLowerCase();
  return essence || undefined;
}

const extensions: Record<string, string> = {
  "audio/mpeg": "mp3",
  "audio/mp3": "mp3",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/wave": "wav",
  "audio/ogg": "ogg",
  "audio/opus": "opus",
  "audio/webm": "webm",
  "audio/mp4": "m4a",
  "audio/x-m4a": "m4a",
  "audio/aac": "aac",
  "audio/flac": "flac",
  "audio/x-flac": "flac",
};

/** The stored recording's file name: `audio.<ext>` from its media type (`audio.bin` when unknown). */
export function audioFileName(contentType: string): string {
  return `audio.${extensions[contentType] ?? "bin"}`;
}
