import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers one request: a status code, or never (the caller's timeout fires). */
export type Answer = number | "hang";

/**
 * A local HTTP endpoint standing in for an account's callback receiver (node:http, nothing imitated): it
 * records every POST and answers from `answers` in order, then with `otherwise`.
 */
export async function startReceiver(opts: { answers?: Answer[]; otherwise?: Answer } = {}) {
  const answers = [...(opts.answers ?? [])];
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const answer = answers.shift() ?? opts.otherwise ?? 200;
      if (answer === "hang") return;
      res.writeHead(answer, { "content-type": "text/plain" }).end(answer < 300 ? "ok" : "nope");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/postprocess`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
