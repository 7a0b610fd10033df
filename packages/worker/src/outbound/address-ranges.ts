import { BlockList, isIP } from "node:net";

/**
 * Address ranges an outbound request for a customer- or publisher-supplied URL must not reach: loopback,
 * private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, "this network", multicast,
 * reserved and documentation ranges, and their IPv6 counterparts. Without this an `audio_url` or a callback
 * URL could make a service call internal endpoints (SSRF).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 connects to the local host on Linux
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 96], // unspecified, loopback, IPv4-compatible (deprecated; nothing public lives there)
  ["100::", 64], // discard
  ["2001::", 32], // Teredo: the IPv4 inside is obfuscated, so refuse it whole
  ["2001:db8::", 32], // documentation
  ["64:ff9b:1::", 48], // local-use NAT64
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated, still routed by some stacks)
  ["ff00::", 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/**
 * True when `address` (an IP literal, as a resolver or the URL parser gives it) is one a public request
 * must not reach. IPv6 forms that carry an IPv4 address — mapped `::ffff:10.0.0.1` (also written
 * `::ffff:a00:1`), NAT64 `64:ff9b::10.0.0.1`, 6to4 `2002:a00:1::` — are judged
 * by that IPv4 address, since a dual-stack socket or a translator delivers them there. Not an IP → false.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, "ipv4");
  if (family !== 6) return false;
  const words = ipv6Words(bare);
  const inner = embeddedIpv4(words);
  if (inner !== undefined) return blocked.check(inner, "ipv4");
  return blocked.check(bare, "ipv6");
}

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one. */
function embeddedIpv4(w: number[]): string | undefined {
  const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  if (zero(0, 5) && w[5] === 0xffff) return quad(w[6]!, w[7]!); // ::ffff:a.b.c.d, mapped
  if (zero(0, 4) && w[4] === 0xffff && w[5] === 0) return quad(w[6]!, w[7]!); // ::ffff:0:a.b.c.d, SIIT
  if (w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6)) return quad(w[6]!, w[7]!); // NAT64 well-known prefix
  if (w[0] === 0x2002) return quad(w[1]!, w[2]!); // 6to4
  return undefined;
}

/** The eight 16-bit words of a valid IPv6 literal (`isIP` already said it is one). */
function ipv6Words(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part ? part.split(":").map((h) => Number.parseInt(h, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
