import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { fakeMp3Stream } from "./audio.ts";
import { type Fault, FaultBook, type ListFault, ListFaultQueue } from "./faults.ts";
import type { WireConversation, WireConversationSummary, WireConversationsPage } from "./wire.ts";

/**
 * A local ElevenLabs Agents Platform API speaking the real wire format (shared/docs/external-apis.md §1–3,
 * §5): conversation details, audio and the list, behind `xi-api-key`, with per-conversation faults and faults
 * of the list route. The real client code runs against it unchanged; only the base URL differs.
 */

export interface FakeElevenLabsOptions {
  /** The only key accepted in `xi-api-key`. */
  apiKey: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

/** One request as the fake saw it (the key itself is never kept). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The conversation the path names, if any. */
  conversationId: string | null;
  status: number;
  /** Whether `xi-api-key` matched. */
  authorized: boolean;
  at: number;
}

export interface FakeElevenLabs {
  /** Base URL, e.g. `http://127.0.0.1:41234` (what ELEVENLABS_BASE_URL is set to). */
  url: string;
  close(): Promise<void>;
  /** Serves `conversation` (replacing one with the same id); `audioBytes` sizes its MP3 (default 64 KiB). */
  add(conversation: WireConversation, opts?: { audioBytes?: number }): void;
  /** Injects a fault for the next request(s) of one conversation (see `Fault`). */
  failNext(conversationId: string, fault: Fault): void;
  /** Injects a fault for the next request(s) of the list route (see `ListFault`). */
  failNextList(fault: ListFault): void;
  /** Every request so far, oldest first. */
  requests(): RecordedRequest[];
}

const BASE = "/v1/convai/conversations";
const DEFAULT_AUDIO_BYTES = 64 * 1024;

export async function startFakeElevenLabs(opts: FakeElevenLabsOptions): Promise<FakeElevenLabs> {
  const conversations = new Map<string, { body: WireConversation; audioBytes: number }>();
  const faults = new FaultBook();
  const listFaults = new ListFaultQueue();
  const log: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const reply = replier(req, res, log);
    handle(req, reply).catch((err: unknown) => {
      if (!res.headersSent) reply.json(500, { detail: { status: "internal_error", message: String(err) } });
      else res.destroy();
    });
  });

  /** Waits `ms`; resolves false early when the client went away meanwhile (or the fake closed). */
  const wait = (ms: number, res: ServerResponse) =>
    new Promise<boolean>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        res.off("close", gone);
        resolve(true);
      }, ms);
      const gone = () => {
        clearTimeout(t);
        timers.delete(t);
        resolve(false);
      };
      timers.add(t);
      res.once("close", gone);
    });

  async function handle(req: IncomingMessage, reply: Reply): Promise<void> {
    const { url, id } = reply;
    const parts = url.pathname.startsWith(`${BASE}/`) ? url.pathname.slice(BASE.length + 1).split("/") : [];
    const authorized = req.headers["xi-api-key"] === opts.apiKey;
    reply.entry.authorized = authorized;
    const route =
      url.pathname === BASE
        ? "list"
        : id && parts.length === 1
          ? "conversation"
          : id && parts.length === 2 && parts[1] === "audio"
            ? "audio"
            : undefined;
    if (!route) return reply.json(404, { detail: "Not Found" });
    if (req.method !== "GET") return reply.json(405, { detail: "Method Not Allowed" });
    if (!authorized)
      return reply.json(401, { detail: { status: "invalid_api_key", message: "Invalid API key" } });
    if (route === "list") {
      const fault = listFaults.take();
      switch (fault?.kind) {
        case "rateLimited":
          return rateLimited(reply, fault.retryAfterSecs);
        case "serverError":
          return serverError(reply, fault.status);
        case "redirect":
          return reply.json(307, { detail: "Temporary Redirect" }, { location: fault.location });
        case "slow":
          if (!(await wait(fault.delayMs, reply.res))) return reply.record(499);
          break;
        case undefined:
          break;
      }
      return list(url, reply);
    }

    const conversationId = id!;
    const fault = faults.take(conversationId, route);
    let status: WireConversation["status"] | undefined;
    switch (fault?.kind) {
      case "notFound":
        return notFound(reply, conversationId);
      case "rateLimited":
        return rateLimited(reply, fault.retryAfterSecs);
      case "serverError":
        return serverError(reply, fault.status);
      case "slow":
        if (!(await wait(fault.delayMs, reply.res))) return reply.record(499);
        break;
      case "processing":
        status = fault.status ?? "processing";
        break;
      case undefined:
        break;
    }

    const stored = conversations.get(conversationId);
    if (!stored) return notFound(reply, conversationId);
    if (faults.failed(conversationId)) status = "failed";
    if (route === "conversation") {
      const body = status ? { ...stored.body, status, analysis: null } : stored.body;
      return reply.json(200, body);
    }
    if (!stored.body.has_audio || status)
      return reply.json(404, {
        detail: { status: "not_found", message: `Audio for conversation ${conversationId} was not found.` },
      });
    reply.record(200);
    reply.res.writeHead(200, { "content-type": "audio/mpeg", "content-length": String(stored.audioBytes) });
    await pipeline(fakeMp3Stream(stored.audioBytes), reply.res).catch(() => reply.res.destroy());
  }

  function notFound(reply: Reply, conversationId: string) {
    reply.json(404, {
      detail: { status: "not_found", message: `Conversation ${conversationId} was not found.` },
    });
  }

  function list(url: URL, reply: Reply) {
    const q = url.searchParams;
    const pageSize = q.has("page_size") ? Number(q.get("page_size")) : 30;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      return invalidQuery(reply, "page_size", "Input should be between 1 and 100");
    const after = q.get("cursor") ? decodeCursor(q.get("cursor")!) : undefined;
    if (q.get("cursor") && !after) return invalidQuery(reply, "cursor", "Invalid cursor");
    const bounds: Partial<Record<"call_start_after_unix" | "call_start_before_unix", number>> = {};
    for (const name of ["call_start_after_unix", "call_start_before_unix"] as const) {
      if (!q.has(name)) continue;
      const value = Number(q.get(name));
      if (!Number.isInteger(value)) return invalidQuery(reply, name, "Input should be a valid integer");
      bounds[name] = value;
    }
    const agentId = q.get("agent_id");
    const withSummary = q.get("summary_mode") === "include";
    const { call_start_after_unix: from, call_start_before_unix: to } = bounds;
    const all = [...conversations.values()]
      .map((c) => c.body)
      .filter(
        (c) =>
          (!agentId || c.agent_id === agentId) &&
          (from === undefined || c.metadata.start_time_unix_secs > from) &&
          (to === undefined || c.metadata.start_time_unix_secs < to),
      )
      .sort(newestFirst);
    // Keyset: the page starts after the cursor's conversation, so calls arriving meanwhile shift nothing.
    const offset = after ? all.findIndex((c) => newestFirst(c, after) > 0) : 0;
    const rest = offset < 0 ? [] : all.slice(offset);
    const page = rest.slice(0, pageSize);
    const hasMore = rest.length > pageSize;
    const last = page.at(-1);
    const body: WireConversationsPage = {
      conversations: page.map((c) => summaryOf(c, withSummary)),
      next_cursor: hasMore && last ? encodeCursor(last) : null,
      has_more: hasMore,
    };
    reply.json(200, body);
  }

  function summaryOf(c: WireConversation, withSummary: boolean): WireConversationSummary {
    const status = faults.failed(c.conversation_id) ? "failed" : c.status;
    return {
      agent_id: c.agent_id,
      agent_name: c.agent_name ?? null,
      conversation_id: c.conversation_id,
      start_time_unix_secs: c.metadata.start_time_unix_secs,
      call_duration_secs: c.metadata.call_duration_secs,
      message_count: c.transcript.length,
      status,
      call_successful: c.analysis?.call_successful ?? "unknown",
      ...(withSummary ? { transcript_summary: c.analysis?.transcript_summary ?? null } : {}),
      call_summary_title: c.analysis?.call_summary_title ?? null,
      direction: directionOf(c),
    };
  }

  function rateLimited(reply: Reply, retryAfterSecs: number) {
    reply.json(
      429,
      {
        detail: {
          type: "rate_limit_error",
          code: "rate_limit_exceeded",
          status: "rate_limit_exceeded",
          message: "Too many requests. Please slow down.",
        },
      },
      { "retry-after": String(retryAfterSecs) },
    );
  }

  function serverError(reply: Reply, status = 500) {
    reply.json(status, { detail: { status: "internal_error", message: "An internal error occurred." } });
  }

  function invalidQuery(reply: Reply, param: string, msg: string) {
    reply.json(422, { detail: [{ loc: ["query", param], msg, type: "value_error" }] });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    add(conversation, o = {}) {
      conversations.set(conversation.conversation_id, {
        body: structuredClone(conversation),
        audioBytes: o.audioBytes ?? DEFAULT_AUDIO_BYTES,
      });
    },
    failNext: (conversationId, fault) => faults.add(conversationId, fault),
    failNextList: (fault) => listFaults.add(fault),
    requests: () => log.map((r) => ({ ...r, query: { ...r.query } })),
  };
}

function directionOf(c: WireConversation): string | null {
  const call = c.metadata.phone_call as { direction?: string } | null | undefined;
  return call?.direction ?? null;
}

/** The list's order: newest call first, ties by id. */
function newestFirst(a: CursorKey, b: CursorKey): number {
  return (
    b.metadata.start_time_unix_secs - a.metadata.start_time_unix_secs ||
    a.conversation_id.localeCompare(b.conversation_id)
  );
}

type CursorKey = Pick<WireConversation, "conversation_id"> & {
  metadata: Pick<WireConversation["metadata"], "start_time_unix_secs">;
};

// Opaque to clients, as the real cursors are: the last listed call's start time and id.
function encodeCursor(c: CursorKey): string {
  return Buffer.from(`${c.metadata.start_time_unix_secs}:${c.conversation_id}`).toString("base64url");
}

function decodeCursor(cursor: string): CursorKey | undefined {
  const m = /^(\d+):(.+)$/s.exec(Buffer.from(cursor, "base64url").toString());
  return m ? { conversation_id: m[2]!, metadata: { start_time_unix_secs: Number(m[1]) } } : undefined;
}

/** One response, and its line in the request log (written once, when the status is known). */
interface Reply {
  url: URL;
  id: string | null;
  res: ServerResponse;
  entry: Omit<RecordedRequest, "status">;
  record(status: number): void;
  json(status: number, body: unknown, headers?: Record<string, string>): void;
}

function replier(req: IncomingMessage, res: ServerResponse, log: RecordedRequest[]): Reply {
  const url = new URL(req.url ?? "/", "http://fake");
  const first = url.pathname.startsWith(`${BASE}/`) ? url.pathname.slice(BASE.length + 1).split("/")[0] : "";
  const id = first ? decodeURIComponent(first) : null;
  let recorded = false;
  const reply: Reply = {
    url,
    id,
    res,
    entry: {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      conversationId: id,
      authorized: false,
      at: Date.now(),
    },
    record(status) {
      if (recorded) return;
      recorded = true;
      log.push({ ...reply.entry, status });
    },
    json(status, body, headers = {}) {
      reply.record(status);
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    },
  };
  return reply;
}
