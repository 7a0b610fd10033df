import { describe, expect, it } from "vitest";
import { headerText, mailbox } from "./address.ts";

describe("headerText", () => {
  it("turns CR, LF and other controls into spaces, so a value cannot start a header", () => {
    expect(headerText("Refund\r\nBcc: x@y.example")).toBe("Refund Bcc: x@y.example");
    expect(headerText("a\u0000b\u2028c\u202Ed\tz")).toBe("a b c d z");
  });

  it("keeps non-Latin text and caps the length", () => {
    expect(headerText("Возврат — Επιστροφή")).toBe("Возврат — Επιστροφή");
    expect(headerText("x".repeat(300), 10)).toBe(`${"x".repeat(9)}…`);
  });
});

describe("mailbox", () => {
  it("accepts one plain address", () => {
    expect(mailbox(" ops@acme.example ")).toBe("ops@acme.example");
  });

  it("removes control characters before checking", () => {
    expect(mailbox("ops@acme.example\r\n")).toBe("ops@acme.example");
    expect(mailbox("ops@acme.example\r\nBcc: x@y.example")).toBeUndefined();
  });

  it.each([
    "",
    null,
    "not an address",
    "a@b.example, c@d.example",
    "Ops <ops@acme.example>",
    "ops@acme.example>",
    "@acme.example",
  ])("refuses %j", (s) => {
    expect(mailbox(s)).toBeUndefined();
  });
});
