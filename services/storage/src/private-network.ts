import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Addresses a publisher-supplied audio URL must not reach by default: loopback, private, link-local (cloud
 * metadata at 169.254.169.254), carrier-grade NAT, unspecified, and their IPv6 counterparts. Without this a
 * `conversation.ended` event could make the storage service fetch internal endpoints (SSRF).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/** True when `address` (an IP literal) is in a private, loopback or link-local range. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, "ipv4");
  const family = isIP(address);
  if (family === 0) return false;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * True when `hostname` is, or resolves to, a private address. (A DNS answer could change between this
 * check and the fetch; closing that gap needs a pinned-address dispatcher — noted in the README.)
 */
export async function resolvesToPrivateNetwork(hostname: string): Promise<boolean> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return isPrivateAddress(bare);
  try {
    const addresses = await lookup(bare, { all: true });
    return addresses.some((a) => isPrivateAddress(a.address));
  } catch {
    // Unresolvable: the fetch will fail as unreachable, which is the right outcome.
    return false;
  }
}
