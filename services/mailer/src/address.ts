import { z } from "zod";

// C0/C1 controls (CR and LF among them), Unicode line/paragraph separators and bidi overrides.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A header value (subject, display name) as one safe line: every control character becomes a space, so no
 * value can end the header and start another (`\r\nBcc: …`), whitespace collapses, and it is capped.
 */
export function headerText(s: string, max = 200): string {
  const line = s.replace(unsafe, " ").replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

const email = z.email();

/**
 * One mailbox address, or undefined when it is not one: control characters are removed first, then the
 * address must be a single plain `local@domain` (no display name, no list, no angle brackets), so it
 * cannot smuggle a second recipient or a header into the envelope.
 */
export function mailbox(s: string | null | undefined): string | undefined {
  if (!s) return undefined;
  const address = s.replace(unsafe, "").trim();
  if (address.length > 254 || !email.safeParse(address).success) return undefined;
  return address;
}
