import { type GuardedAgents, sendRequest } from "@postprocess/worker";

/** What a POST got back. Network errors, refused destinations and timeouts are thrown instead. */
export interface PostResult {
  statusCode: number;
}

/**
 * POSTs `body` as JSON to `url` with `headers` through the outbound guard's agents (private, loopback and
 * link-local destinations refused at connect time, so a DNS answer cannot be swapped after a check).
 * Redirects are not followed: a 3xx is an answer, and not a 2xx. The response body is not read — only the
 * status decides, and a receiver's body is not ours to buffer. `timeoutMs` bounds everything up to the
 * response's headers.
 */
export async function postCallback(
  url: URL,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; agents: GuardedAgents },
): Promise<PostResult> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await sendRequest(
      url,
      {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "Postprocess-Callbacks/1.0",
        },
        body,
        signal,
      },
      opts.agents,
    );
    res.destroy();
    return { statusCode: res.statusCode ?? 0 };
  } catch (err) {
    if (signal.aborted) throw new Error(`no response within ${opts.timeoutMs} ms`, { cause: err });
    throw err;
  }
}
