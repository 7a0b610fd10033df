/** A leaf part of a received message, its body decoded. */
export interface MimePart {
  contentType: string;
  filename: string | undefined;
  body: Buffer;
}

/**
 * Splits a raw MIME message (as GreenMail returns it) into its top-level headers (unfolded, one per line)
 * and its leaf parts with bodies decoded (base64, quoted-printable, 7/8bit). For tests; it understands the
 * messages nodemailer writes, not every MIME message.
 */
export function parseMime(raw: string): { headers: string[]; parts: MimePart[] } {
  const { headers, body } = split(raw);
  return { headers, parts: leaves(headers, body) };
}

/** The value of the first header named `name` (case-insensitive). */
export function header(headers: string[], name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`;
  return headers
    .find((h) => h.toLowerCase().startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

function split(raw: string): { headers: string[]; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? "" : raw.slice(end).replace(/^\r?\n\r?\n/, "");
  // Unfold: a line starting with whitespace continues the previous header.
  const headers = head.split(/\r?\n(?![ \t])/).map((h) => h.replace(/\r?\n[ \t]+/g, " "));
  return { headers, body };
}

function leaves(headers: string[], body: string): MimePart[] {
  const type = header(headers, "content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary) {
    const chunks = body.split(`--${boundary}`).slice(1);
    return chunks
      .filter((c) => !c.startsWith("--"))
      .flatMap((c) => {
        const part = split(c.replace(/^\r?\n/, ""));
        return leaves(part.headers, part.body);
      });
  }
  const encoding = (header(headers, "content-transfer-encoding") ?? "7bit").toLowerCase();
  const disposition = header(headers, "content-disposition") ?? "";
  const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  return [{ contentType: type.split(";")[0]!.trim().toLowerCase(), filename, body: decode(body, encoding) }];
}

function decode(body: string, encoding: string): Buffer {
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64");
  if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, "latin1");
  }
  return Buffer.from(body, "utf8");
}
