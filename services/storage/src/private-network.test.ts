import { expect, it } from "vitest";
import { isPrivateAddress, resolvesToPrivateNetwork } from "./private-network.ts";

it("recognises private, loopback, link-local and mapped addresses, and lets public ones through", () => {
  for (const a of [
    "127.0.0.1",
    "10.1.2.3",
    "172.20.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "fd00::1",
    "fe80::1",
    "::ffff:10.0.0.1",
  ]) {
    expect(isPrivateAddress(a), a).toBe(true);
  }
  for (const a of ["8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:1.1.1.1"]) {
    expect(isPrivateAddress(a), a).toBe(false);
  }
});

it("resolves names before deciding (localhost is private)", async () => {
  expect(await resolvesToPrivateNetwork("localhost")).toBe(true);
  expect(await resolvesToPrivateNetwork("[::1]")).toBe(true);
  expect(await resolvesToPrivateNetwork("93.184.216.34")).toBe(false);
});
