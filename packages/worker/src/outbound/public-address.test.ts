import type { LookupAddress } from "node:dns";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BlockedAddressError,
  createGuardedAgents,
  createOutboundGuard,
  isBlockedAddressError,
  type OutboundPolicy,
} from "./public-address.ts";
import { sendRequest } from "./send-request.ts";

// Two local servers on one port: 127.0.0.1 stands for a public host (allowed by address in the tests that
// need one, since a test cannot reach the internet), 127.0.0.2 for an internal one that must never be hit.
let port: number;
const hits = { outside: [] as string[], internal: [] as string[] };
const servers: Server[] = [];

beforeAll(async () => {
  const start = (host: string, seen: string[], answer: (path: string) => [number, Record<string, string>]) =>
    new Promise<number>((resolve) => {
      const server = createServer((req, res) => {
        seen.push(req.url ?? "/");
        const [status, headers] = answer(req.url ?? "/");
        res.writeHead(status, headers).end(host);
      });
      servers.push(server);
      server.listen(port ?? 0, host, () => resolve((server.address() as AddressInfo).port));
    });
  port = await start("127.0.0.1", hits.outside, (path) =>
    path === "/redirect" ? [302, { location: `http://internal.test:${port}/secret` }] : [200, {}],
  );
  await start("127.0.0.2", hits.internal, () => [200, {}]);
});
afterAll(async () => {
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
});

/** A resolver answering from a script, one answer per call (the last repeating), counting its calls. */
function scriptedResolver(...answers: string[][]) {
  let calls = 0;
  const resolve = async (_hostname: string): Promise<LookupAddress[]> => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    return answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { resolve, calls: () => calls };
}

const publicStandIn: OutboundPolicy = { allowedAddresses: ["127.0.0.1"] };
const get = (url: string, policy: OutboundPolicy) =>
  sendRequest(new URL(url), {}, createGuardedAgents(createOutboundGuard(policy)));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail("expected the request to be refused"),
    (e: unknown) => e,
  );

describe("outbound guard at connect time", () => {
  it("refuses a host name whose lookup answers a private address, before any byte is sent", async () => {
    const dns = scriptedResolver(["127.0.0.2"]);
    const err = await refusal(get(`http://internal.test:${port}/secret`, { resolve: dns.resolve }));
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err).toMatchObject({ hostname: "internal.test", address: "127.0.0.2", code: "EBLOCKEDADDRESS" });
    expect(hits.internal).toEqual([]);
  });

  it("refuses a name with any private answer among public ones (a rebinding server mixes them)", async () => {
    const dns = scriptedResolver(["127.0.0.1", "127.0.0.2"]);
    const err = await refusal(
      get(`http://mixed.test:${port}/secret`, { ...publicStandIn, resolve: dns.resolve }),
    );
    expect(isBlockedAddressError(err)).toBe(true);
    expect(hits.internal).toEqual([]);
  });

  it("connects to the address it checked: a resolver answering public, then private, never reaches private", async () => {
    const dns = scriptedResolver(["127.0.0.1"], ["127.0.0.2"]);
    const agents = createGuardedAgents(createOutboundGuard({ ...publicStandIn, resolve: dns.resolve }));
    const before = hits.outside.length;
    // First connection: one resolution, checked and used by the socket itself (no second lookup to rebind).
    const res = await sendRequest(new URL(`http://rebind.test:${port}/first`), {}, agents);
    expect([res.statusCode, await text(res)]).toEqual([200, "127.0.0.1"]);
    expect(dns.calls()).toBe(1);
    expect(hits.outside.slice(before)).toEqual(["/first"]);
    // The next connection resolves again, gets the private answer, and is refused.
    expect(
      await refusal(sendRequest(new URL(`http://rebind.test:${port}/second`), {}, agents)),
    ).toBeInstanceOf(BlockedAddressError);
    expect(dns.calls()).toBe(2);
    expect(hits.internal).toEqual([]);
  });

  it("checks every redirect hop: a public host redirecting to an internal name is refused", async () => {
    const dns = scriptedResolver(["127.0.0.2"]);
    const agents = createGuardedAgents(createOutboundGuard({ ...publicStandIn, resolve: dns.resolve }));
    const first = await sendRequest(new URL(`http://127.0.0.1:${port}/redirect`), {}, agents);
    first.resume();
    expect(first.statusCode).toBe(302);
    const next = new URL(first.headers.location!, `http://127.0.0.1:${port}`);
    expect(await refusal(sendRequest(next, {}, agents))).toBeInstanceOf(BlockedAddressError);
    expect(hits.internal).toEqual([]);
  });

  it("refuses private IP literals however the URL writes them, with no lookup involved", async () => {
    const dns = scriptedResolver(["8.8.8.8"]);
    const before = hits.outside.length;
    for (const host of [
      "127.0.0.1",
      "2130706433",
      "0x7f.1",
      "0177.0.0.1",
      "127.1",
      "[::ffff:127.0.0.1]",
      "0",
    ]) {
      const err = await refusal(get(`http://${host}:${port}/literal`, { resolve: dns.resolve }));
      expect(err, host).toBeInstanceOf(BlockedAddressError);
    }
    expect(dns.calls()).toBe(0);
    expect(hits.outside.length).toBe(before);
  });

  it("refuses localhost through the real resolver", async () => {
    expect(await refusal(get(`http://localhost:${port}/`, {}))).toBeInstanceOf(BlockedAddressError);
  });

  it("lets loopback through when private networks are allowed, and trusts configured host names", async () => {
    for (const url of [`http://127.0.0.1:${port}/allowed`, `http://localhost:${port}/allowed`]) {
      const res = await get(url, { allowPrivateNetworks: true });
      expect(res.statusCode, url).toBe(200);
      res.resume();
    }
    const dns = scriptedResolver(["127.0.0.1"]);
    const res = await get(`http://api.elevenlabs.test:${port}/trusted`, {
      trustedHostnames: ["api.elevenlabs.test"],
      resolve: dns.resolve,
    });
    expect(res.statusCode).toBe(200);
    res.resume();
  });
});

describe("guard.lookup as a dns.lookup replacement", () => {
  const lookup = (hostname: string, options: { family?: number; all?: boolean }) =>
    new Promise<unknown>((resolve, reject) => {
      const guard = createOutboundGuard({
        resolve: scriptedResolver(["2606:4700::1111", "1.1.1.1"]).resolve,
      });
      guard.lookup(hostname, options, (err, address, family) =>
        err ? reject(err) : resolve({ address, family }),
      );
    });

  it("answers in the shape asked for (one address or all) and honours the family", async () => {
    expect(await lookup("one.test", {})).toEqual({ address: "2606:4700::1111", family: 6 });
    expect(await lookup("one.test", { family: 4 })).toEqual({ address: "1.1.1.1", family: 4 });
    expect(await lookup("one.test", { all: true })).toEqual({
      address: [
        { address: "2606:4700::1111", family: 6 },
        { address: "1.1.1.1", family: 4 },
      ],
      family: undefined,
    });
  });
});
