import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer of the test audio source. */
export interface AudioAnswer {
  status?: number;
  body?: Buffer;
  /** `null` sends no Content-Type; default `audio/mpeg`. */
  contentType?: string | null;
  /** Send the body chunked, without Content-Length (the size is then only found while copying). */
  chunked?: boolean;
  headers?: Record<string, string>;
  /** Never answer (`before-headers`), or send the headers and then never the body (`after-headers`). */
  stall?: "before-headers" | "after-headers";
}

/** A request the source received. */
export interface SeenRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * A tiny local HTTP server standing for "any URL a recording lives at" (and ElevenLabs' audio endpoint,
 * which is only `200 audio/mpeg` + raw bytes). Each path answers its scripted answers in turn, the last one
 * repeating; unknown paths are 404.
 */
export async function startAudioServer(host = "127.0.0.1") {
  const routes = new Map<string, AudioAnswer[]>();
  const served = new Map<string, number>();
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ path, headers: req.headers });
    const answers = routes.get(path);
    const n = served.get(path) ?? 0;
    served.set(path, n + 1);
    const answer = answers?.[Math.min(n, answers.length - 1)] ?? { status: 404, body: Buffer.from("no") };
    answerWith(res, answer);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://${host}:${port}`;
  return {
    base,
    url: (path: string) => `${base}${path}`,
    /** Scripts `path`: successive requests get these answers, the last one repeating. */
    route(path: string, ...answers: AudioAnswer[]) {
      routes.set(path, answers);
      served.set(path, 0);
    },
    requests,
    /** Requests received for `path`. */
    hits: (path: string) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answerWith(res: ServerResponse, a: AudioAnswer): void {
  const body = a.body ?? Buffer.alloc(0);
  const headers: Record<string, string> = { ...a.headers };
  const contentType = a.contentType === undefined ? "audio/mpeg" : a.contentType;
  if (contentType !== null) headers["content-type"] = contentType;
  if (!a.chunked) headers["content-length"] = String(body.length);
  res.on("error", () => {});
  if (a.stall === "before-headers") return;
  res.writeHead(a.status ?? 200, headers);
  if (a.stall === "after-headers") {
    res.flushHeaders();
    return;
  }
  if (!a.chunked) {
    res.end(body);
    return;
  }
  // Chunked in 64 KiB pieces, honouring backpressure; a client that hangs up just ends it.
  let at = 0;
  const pump = () => {
    while (at < body.length) {
      const piece = body.subarray(at, at + 65_536);
      at += piece.length;
      if (!res.write(piece)) return void res.once("drain", pump);
    }
    res.end();
  };
  pump();
}

/** Random bytes standing for a recording (random, so a wrong offset or a lost part changes the sha256). */
export function fakeRecording(bytes: number): Buffer {
  return randomBytes(bytes);
}
