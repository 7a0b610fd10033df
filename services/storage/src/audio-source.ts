import { Readable } from "node:stream";
import { RetriableError, RetryAfterError } from "@postprocess/kafka";
import { resolvesToPrivateNetwork } from "./private-network.ts";

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
}

/** An opened recording, or the reason there is none to copy (a warning, not a failure). */
export type AudioSource =
  | { kind: "stream"; body: Readable; contentType: string; contentLength: number | undefined }
  | { kind: "unavailable"; reason: string };

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
  const elevenLabsHostname = new URL(settings.elevenLabsBaseUrl).hostname;
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
      if (
        !settings.allowPrivateNetworks &&
        current.hostname !== elevenLabsHostname &&
        (await resolvesToPrivateNetwork(current.hostname))
      ) {
        return {
          kind: "unavailable",
          reason: `the audio URL's host ${current.hostname} is a private network address (refused; see AUDIO_ALLOW_PRIVATE_NETWORKS)`,
        };
      }
      const headers: Record<string, string> = {};
      if (settings.elevenLabsApiKey && current.host === elevenLabsHost) {
        headers["xi-api-key"] = settings.elevenLabsApiKey;
      }
      let res: Response;
      try {
        res = await fetch(current, { headers, redirect: "manual", signal: combined });
      } catch (err) {
        const why = timeout.signal.aborted ? "timed out" : "unreachable";
        throw new RetriableError(`audio source ${current.host} ${why}`, { cause: err });
      }
      if (redirects.has(res.status)) {
        await res.body?.cancel();
        const location = res.headers.get("location");
        if (!location || hop >= maxRedirects) {
          return { kind: "unavailable", reason: `audio source ${current.host} redirects without end` };
        }
        current = new URL(location, current);
        continue;
      }
      if (res.ok) {
        const length = res.headers.get("content-length");
        return {
          kind: "stream",
          body: res.body ? Readable.fromWeb(res.body) : Readable.from([]),
          contentType: mediaType(res.headers.get("content-type")) ?? "audio/mpeg",
          contentLength: length !== null && /^\d+$/.test(length) ? Number(length) : undefined,
        };
      }
      await res.body?.cancel();
      const what = `audio source ${current.host} answered ${res.status}`;
      if (res.status === 429) throw new RetryAfterError(retryAfterMs(res.headers.get("retry-after")), what);
      if (res.status === 408 || res.status >= 500) throw new RetriableError(what);
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

/** A Retry-After header (delta-seconds or HTTP date) in ms; a default when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null) return defaultRetryAfterMs;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? defaultRetryAfterMs : Math.max(0, at - now);
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
