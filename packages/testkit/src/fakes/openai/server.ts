import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultResponder } from "./default-responder.ts";
import { type Fault, type FaultOptions, withHallucinatedTurns } from "./faults.ts";
import { type JsonSchema, strictSchemaProblems, validateJson } from "./json-schema.ts";
import {
  approxTokens,
  type ChatCompletionBody,
  type ChatRequest,
  completionBody,
  errorBody,
  type FinishReason,
  messageText,
} from "./wire.ts";

/** Content sent exactly as given, unchecked: a model misbehaving in ways the schema cannot stop. */
export class RawReply {
  readonly content: string;
  constructor(content: string) {
    this.content = content;
  }
}

/** Wraps content the fake must send verbatim (not validated against the requested schema). */
export function raw(content: string): RawReply {
  return new RawReply(content);
}

/**
 * Answers one request: the structured output as a value (the fake validates it against the request's
 * schema and answers 500 `fake_schema_mismatch` if it does not match), or `raw(...)` content.
 */
export type Responder = (req: ChatRequest) => unknown;

/** A chat request as logged, with what the fake did with it. */
export interface LoggedRequest extends ChatRequest {
  /** HTTP status answered; null while hanging. */
  status: number | null;
  fault: Fault | null;
  /** Why a scripted answer was refused (schema mismatch, responder threw). */
  problem: string | null;
}

/** A request refused before it reached a responder (auth, bad body, unknown route). */
export interface RejectedRequest {
  method: string;
  path: string;
  status: number;
  message: string;
}

/** A running fake: its base URL, its scripting and fault controls, and its request log. */
export interface FakeOpenAI {
  /** The base URL to hand the SDK (`…/v1`). */
  url: string;
  close(): Promise<void>;
  /** Scripts every following answer; `undefined` restores the default responder. */
  respondWith(fn: Responder | undefined): void;
  /** The next `n` chat requests meet `fault` (queued after faults already pending). */
  failNext(fault: Fault, n?: number, opts?: FaultOptions): void;
  /** Every chat request that passed auth and validation, oldest first. */
  requests(): LoggedRequest[];
  /** Requests refused with 4xx before reaching a responder. */
  rejected(): RejectedRequest[];
  /** Clears faults, the scripted responder and the logs. */
  reset(): void;
}

const maxBody = 20 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBody) reject(new Error("body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Why a body is not a Structured Outputs chat request, as the API's 400 would say; null when it is. */
function requestProblem(body: ChatCompletionBody): { message: string; param: string } | null {
  if (typeof body.model !== "string" || !body.model)
    return { message: "you must provide a model parameter", param: "model" };
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return { message: "[] is too short - 'messages'", param: "messages" };
  const rf = body.response_format;
  if (rf?.type !== "json_schema" || !rf.json_schema)
    return {
      message: "this fake only answers Structured Outputs: response_format.type must be 'json_schema'",
      param: "response_format",
    };
  if (rf.json_schema.strict !== true)
    return { message: "response_format.json_schema.strict must be true", param: "response_format" };
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(rf.json_schema.name ?? ""))
    return {
      message: "Invalid 'response_format.json_schema.name'",
      param: "response_format.json_schema.name",
    };
  if (!rf.json_schema.schema)
    return { message: "Missing 'response_format.json_schema.schema'", param: "response_format" };
  const problems = strictSchemaProblems(rf.json_schema.schema);
  if (problems.length)
    return {
      message: `Invalid schema for response_format '${rf.json_schema.name}': ${problems[0]}`,
      param: "response_format",
    };
  return null;
}

function toChatRequest(requestId: string, body: ChatCompletionBody): ChatRequest {
  const text = (roles: string[]) =>
    body.messages
      .filter((m) => roles.includes(m.role))
      .map(messageText)
      .join("\n\n");
  const js = body.response_format!.json_schema!;
  return {
    requestId,
    body,
    model: body.model,
    system: text(["system", "developer"]),
    user: text(["user"]),
    schemaName: js.name,
    schema: js.schema as JsonSchema,
    maxCompletionTokens: body.max_completion_tokens ?? body.max_tokens ?? null,
  };
}

/**
 * A local OpenAI: `POST /v1/chat/completions` in the exact wire format of external-apis.md §6, for
 * Structured Outputs only (strict `json_schema`, which it checks the way the API does). Answers are
 * deterministic functions of the request (the default builds a summary that cites the turns of the user
 * message), faults are injected per request, and every request is logged for assertions.
 */
export async function startFakeOpenAI(opts: { apiKey: string; port?: number }): Promise<FakeOpenAI> {
  let responder: Responder | undefined;
  let pendingFaults: { fault: Fault; opts: FaultOptions }[] = [];
  let log: LoggedRequest[] = [];
  let rejectedLog: RejectedRequest[] = [];
  let counter = 0;
  const hanging = new Set<ServerResponse>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = `req_${(++counter).toString(16).padStart(24, "0")}`;
    const headers = {
      "x-request-id": requestId,
      "openai-processing-ms": "1",
      "openai-version": "2020-10-01",
    };
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const reject = (
      status: number,
      message: string,
      type: string,
      code: string | null,
      param: string | null,
    ) => {
      rejectedLog.push({ method: req.method ?? "", path, status, message });
      send(res, status, errorBody(message, type, code, param), headers);
    };
    const rawBody = await readBody(req);
    if (req.method !== "POST" || path !== "/v1/chat/completions")
      return reject(404, `Invalid URL (${req.method} ${path})`, "invalid_request_error", null, null);
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`)
      return reject(
        401,
        "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
        null,
      );
    let body: ChatCompletionBody;
    try {
      body = JSON.parse(rawBody) as ChatCompletionBody;
    } catch {
      return reject(
        400,
        "We could not parse the JSON body of your request.",
        "invalid_request_error",
        null,
        null,
      );
    }
    const problem = requestProblem(body);
    if (problem) return reject(400, problem.message, "invalid_request_error", null, problem.param);

    const chat = toChatRequest(requestId, body);
    const next = pendingFaults.shift();
    const entry: LoggedRequest = { ...chat, status: null, fault: next?.fault ?? null, problem: null };
    log.push(entry);
    const answer = (status: number, b: unknown, extra: Record<string, string> = {}) => {
      entry.status = status;
      send(res, status, b, { ...headers, ...extra });
    };

    switch (next?.fault) {
      case "hang":
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      case "rate_limit": {
        const ms = next.opts.retryAfterMs ?? 250;
        return answer(
          429,
          errorBody(
            `Rate limit reached for ${chat.model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${ms}ms.`,
            "requests",
            "rate_limit_exceeded",
          ),
          {
            "retry-after-ms": String(ms),
            "retry-after": String(Math.ceil(ms / 1000)),
            "x-ratelimit-limit-requests": "3",
            "x-ratelimit-remaining-requests": "0",
          },
        );
      }
      case "server_error":
        return answer(
          500,
          errorBody(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
          ),
        );
    }

    let value: unknown;
    try {
      value = await (responder ?? defaultResponder)(chat);
    } catch (err) {
      entry.problem = `responder threw: ${err instanceof Error ? err.message : String(err)}`;
      return answer(500, errorBody(entry.problem, "fake_responder_error"));
    }
    let content: string;
    if (value instanceof RawReply) content = value.content;
    else {
      const mismatch = validateJson(chat.schema, value);
      if (mismatch.length) {
        entry.problem = `scripted answer does not match the requested schema: ${mismatch.slice(0, 5).join("; ")}`;
        return answer(500, errorBody(entry.problem, "fake_schema_mismatch"));
      }
      content = JSON.stringify(next?.fault === "bad_turns" ? withHallucinatedTurns(value) : value);
    }

    let finishReason: FinishReason = "stop";
    let refusal: string | null = null;
    let out: string | null = content;
    if (next?.fault === "refusal") {
      refusal = "I'm sorry, but I can't assist with that request.";
      out = null;
    } else if (next?.fault === "length") {
      finishReason = "length";
      out = content.slice(0, Math.max(1, Math.floor(content.length / 2)));
    } else if (next?.fault === "invalid_json") {
      out = `Sure! Here is the summary you asked for: ${content.slice(0, 40)}`;
    }
    const promptChars = body.messages.reduce((n, m) => n + messageText(m).length, 0);
    const completionTokens =
      finishReason === "length" && chat.maxCompletionTokens
        ? chat.maxCompletionTokens
        : approxTokens((out ?? refusal ?? "").length);
    return answer(
      200,
      completionBody({
        id: `chatcmpl-fake${counter.toString(36).padStart(8, "0")}`,
        model: chat.model,
        content: out,
        refusal,
        finishReason,
        promptTokens: approxTokens(promptChars),
        completionTokens,
      }),
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, 500, errorBody(`fake failed: ${String(err)}`, "server_error"), {
          "x-request-id": "req_fake",
        });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    respondWith(fn) {
      responder = fn;
    },
    failNext(fault, n = 1, faultOpts = {}) {
      for (let i = 0; i < n; i++) pendingFaults.push({ fault, opts: faultOpts });
    },
    requests: () => [...log],
    rejected: () => [...rejectedLog],
    reset() {
      responder = undefined;
      pendingFaults = [];
      log = [];
      rejectedLog = [];
    },
  };
}
