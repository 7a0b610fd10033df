import { expect, it } from "vitest";
import { isPrivateAddress } from "./address-ranges.ts";

it("refuses loopback, private, link-local, CGNAT, reserved and multicast IPv4", () => {
  for (const a of [
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.255",
    "0.0.0.0",
    "0.1.2.3",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
  ]) {
    expect(isPrivateAddress(a), a).toBe(true);
  }
});

it("refuses the IPv6 counterparts and IPv6 forms that carry a private IPv4 address", () => {
  for (const a of [
    "::",
    "::1",
    "[::1]",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%eth0",
    "febf::1",
    "ff02::1",
    "2001:db8::1",
    "::ffff:10.0.0.1",
    "::ffff:a00:1", // the same, as the URL parser writes it
    "::FFFF:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:0:10.0.0.1", // SIIT
    "::127.0.0.1", // IPv4-compatible (deprecated)
    "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
    "2002:7f00:1::1", // 6to4 of 127.0.0.1
    "2001:0:4136:e378::1", // Teredo
  ]) {
    expect(isPrivateAddress(a), a).toBe(true);
  }
});

it("lets public addresses through, whether written as IPv4 or inside IPv6", () => {
  for (const a of [
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "100.128.0.1",
    "192.169.0.1",
    "2606:4700::1111",
    "2a00:1450:4001::200e",
    "::ffff:1.1.1.1",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ]) {
    expect(isPrivateAddress(a), a).toBe(false);
  }
  expect(isPrivateAddress("localhost")).toBe(false); // not an address: names are judged after resolution
});

it("judges the address the URL parser makes of decimal, hex, octal and short IPv4 hosts", () => {
  const hosts = [
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7f.0.0.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0/",
    "http://[::ffff:127.0.0.1]/",
    "http://[0:0:0:0:0:ffff:169.254.169.254]/",
    "http://169.254.169.254./",
  ].map((u) => new URL(u).hostname);
  expect(hosts).toEqual([
    "127.0.0.1",
    "127.0.0.1",
    "127.0.0.1",
    "127.0.0.1",
    "127.0.0.1",
    "0.0.0.0",
    "[::ffff:7f00:1]",
    "[::ffff:a9fe:a9fe]",
    "169.254.169.254", // the trailing dot of a fully qualified name is dropped too
  ]);
  for (const h of hosts) expect(isPrivateAddress(h), h).toBe(true);
});
