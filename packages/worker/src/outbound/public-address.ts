import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isPrivateAddress } from "./address-ranges.ts";

/** Which destinations an outbound request for an untrusted URL may reach. */
export interface OutboundPolicy {
  /** Let private, loopback and link-local addresses through: for trusted internal endpoints only. */
  allowPrivateNetworks?: boolean;
  /** Host names the operator configured (ElevenLabs' API host): trusted, their addresses are not checked. */
  trustedHostnames?: readonly string[];
  /** Single addresses allowed although private (an operator's known internal server). */
  allowedAddresses?: readonly string[];
  /** Resolves a name to all its addresses: the OS resolver (`dns.lookup`) unless a test injects one. */
  resolve?: (hostname: string) => Promise<readonly LookupAddress[]>;
}

/** A destination the policy refuses: the name resolved to (or the URL named) a private address. */
export class BlockedAddressError extends Error {
  /** Like a socket error's errno code, so logs and `err.code` checks read naturally. */
  readonly code = "EBLOCKEDADDRESS";
  readonly hostname: string;
  readonly address: string;

  constructor(hostname: string, address: string) {
    super(
      hostname === address
        ? `${address} is a private network address (refused)`
        : `${hostname} resolves to ${address}, a private network address (refused)`,
    );
    this.name = "BlockedAddressError";
    this.hostname = hostname;
    this.address = address;
  }
}

/** True when `err`, or an error in its `cause` chain, is a `BlockedAddressError`. */
export function isBlockedAddressError(err: unknown): err is BlockedAddressError {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof BlockedAddressError) return true;
  }
  return false;
}

/**
 * The policy in the two places a connection's address is decided. `lookup` goes into the socket's own
 * options (node:http/https, `net.connect`): the name is resolved once, by the socket, and the addresses
 * checked are the addresses connected to — no earlier check for a rebinding DNS server to answer
 * differently. `checkHost` is for IP literals, which sockets connect to without any lookup.
 */
export interface OutboundGuard {
  /** Throws `BlockedAddressError` when `hostname` is an IP literal the policy refuses. */
  checkHost(hostname: string): void;
  /** A `dns.lookup`-compatible resolver that fails with `BlockedAddressError` on a refused address. */
  lookup: LookupFunction;
}

/** The guard for `policy` (everything refused but public addresses, by default). */
export function createOutboundGuard(policy: OutboundPolicy = {}): OutboundGuard {
  const trusted = new Set(policy.trustedHostnames?.map(bareHost));
  const allowed = new Set(policy.allowedAddresses?.map(bareHost));
  const resolve = policy.resolve ?? resolveAll;
  const refused = (hostname: string, address: string) =>
    !policy.allowPrivateNetworks &&
    !trusted.has(hostname) &&
    !allowed.has(address) &&
    isPrivateAddress(address);

  return {
    checkHost(hostname) {
      const host = bareHost(hostname);
      if (isIP(host) && refused(host, host)) throw new BlockedAddressError(host, host);
    },
    lookup(hostname, options, callback) {
      const host = bareHost(hostname);
      resolve(host).then(
        (answer) => {
          const family = familyNumber(options.family);
          const addresses = answer.filter((a) => family === 0 || a.family === family);
          if (addresses.length === 0) return callback(notFound(host), "", 0);
          // Any refused answer refuses the name: a rebinding server mixes public and private answers.
          const bad = addresses.find((a) => refused(host, a.address));
          if (bad) return callback(new BlockedAddressError(host, bad.address), "", 0);
          if (options.all) return callback(null, addresses);
          callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (err: NodeJS.ErrnoException) => callback(err, "", 0),
      );
    },
  };
}

/** node:http and node:https agents that apply the guard to every connection they open, redirects included. */
export interface GuardedAgents {
  http: http.Agent;
  https: https.Agent;
  /** Closes pooled sockets (at shutdown). */
  destroy(): void;
}

/**
 * Agents whose every new socket resolves through `guard.lookup` and whose IP-literal destinations pass
 * `guard.checkHost` first, so a caller cannot forget the check on a hop. A pooled keep-alive socket is reused
 * only for the same host and port, and was checked when it connected.
 */
export function createGuardedAgents(
  guard: OutboundGuard,
  options: { keepAlive?: boolean } = {},
): GuardedAgents {
  const agents = {
    http: withHostCheck(new http.Agent({ ...options, lookup: guard.lookup }), guard),
    https: withHostCheck(new https.Agent({ ...options, lookup: guard.lookup }), guard),
  };
  return {
    ...agents,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function withHostCheck<A extends http.Agent>(agent: A, guard: OutboundGuard): A {
  const connect = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    try {
      guard.checkHost(options.host ?? options.hostname ?? "localhost");
    } catch (err) {
      // The agent accepts an asynchronous failure through the callback and turns it into the request's error.
      process.nextTick(() => callback?.(err as Error, undefined as never));
      return undefined;
    }
    return connect(options, callback);
  };
  return agent;
}

function resolveAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );
}

function familyNumber(family: LookupOptions["family"]): number {
  if (family === "IPv4") return 4;
  if (family === "IPv6") return 6;
  return family ?? 0;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
}

/** `[::1]` → `::1`, lower-cased: URLs bracket IPv6 hosts, sockets and resolvers do not. */
function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "").toLowerCase();
}
