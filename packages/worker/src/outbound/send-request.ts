import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { addAbortSignal } from "node:stream";
import type { GuardedAgents } from "./public-address.ts";

/** One outbound HTTP(S) request. */
export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the request, and later the response body (a shutdown stops a copy under way). */
  signal?: AbortSignal;
}

/**
 * Sends one request through guarded agents and resolves with the response once its headers arrive (the body
 * is the caller's to read or destroy). Redirects are not followed: a 3xx comes back as it is, and a caller
 * that follows it sends the next hop through the same agents, so every hop's address is checked. Rejects
 * with the socket's error — a `BlockedAddressError` when the policy refused the destination.
 */
export function sendRequest(
  url: URL,
  init: OutboundRequest,
  agents: GuardedAgents,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      reject(new Error(`unsupported scheme ${url.protocol}`));
      return;
    }
    const options = { method: init.method ?? "GET", headers: init.headers, signal: init.signal };
    const req =
      url.protocol === "https:"
        ? https.request(url, { ...options, agent: agents.https })
        : http.request(url, { ...options, agent: agents.http });
    req.once("response", (res) => {
      if (init.signal) addAbortSignal(init.signal, res);
      resolve(res);
    });
    // `on`, not `once`: a socket can report a second error after the first settled the promise.
    req.on("error", reject);
    req.end(init.body);
  });
}
