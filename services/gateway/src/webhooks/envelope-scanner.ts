import { Base64Error } from "./base64-stream.ts";

/** The rest of the body (all but `data.full_audio`) grew past its limit. */
export class EnvelopeTooLargeError extends Error {
  override name = "EnvelopeTooLargeError";
}

/** The body is not the JSON it claims to be, as far as the scanner can tell (JSON.parse says the rest). */
export class EnvelopeSyntaxError extends Error {
  override name = "EnvelopeSyntaxError";
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 64;
const MAX_KEY_BYTES = 256;

type Frame = { kind: "object"; key: string | undefined; expectKey: boolean } | { kind: "array" };

/**
 * Splits a webhook body, as it streams in, into its one large field — the string at `data.full_audio`
 * (the audio webhook's base64 MP3) — and everything else (the "envelope"), without ever holding the
 * large field: its text goes to `onAudio` piece by piece, JSON escapes resolved (`\/` → `/`; `\n`, `\r`,
 * `\t`, which wrap base64 lines, dropped), and the envelope keeps `""` in its place, so that `JSON.parse`
 * of the envelope gives every other field. Field order does not matter. The scanner tracks only what it
 * needs (nesting, keys, string boundaries); JSON.parse of the envelope is the real syntax check, and
 * replacing one whole string by another keeps valid JSON valid and invalid JSON invalid.
 */
export class EnvelopeScanner {
  readonly #maxEnvelopeBytes: number;
  readonly #onAudio: (text: string) => void;
  readonly #envelope: Buffer[] = [];
  #envelopeBytes = 0;
  readonly #stack: Frame[] = [];
  #state: "value" | "string" | "key" | "audio" = "value";
  /** Inside a string, right after a backslash (outside audio: any escape is skipped whole). */
  #escaped = false;
  /** Inside the audio string: an escape being read (`\`, then up to `uXXXX`). */
  #audioEscape = "";
  #keyParts: Buffer[] = [];
  #keyBytes = 0;
  /** How many `data.full_audio` strings were seen (more than one is refused by the caller). */
  audioFields = 0;

  constructor(opts: { maxEnvelopeBytes: number; onAudio(text: string): void }) {
    this.#maxEnvelopeBytes = opts.maxEnvelopeBytes;
    this.#onAudio = opts.onAudio;
  }

  /**
   * Scans the next piece of the body. Throws EnvelopeTooLargeError, EnvelopeSyntaxError, or Base64Error
   * for an escape in the audio text that cannot be base64 (`\"`, `\u00e9`). After a throw, stop feeding.
   */
  feed(chunk: Buffer): void {
    let i = 0;
    let from = 0; // start of the envelope bytes of this chunk not yet kept
    const n = chunk.length;
    while (i < n) {
      if (this.#state === "audio") {
        i = this.#scanAudio(chunk, i);
        if (this.#state === "audio") return; // the chunk ended inside the audio
        from = i; // the closing quote is already in the envelope (`""`)
        continue;
      }
      if (this.#state === "string" || this.#state === "key") {
        i = this.#scanString(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) {
        const top = this.#stack.at(-1);
        if (top?.kind === "object" && top.expectKey) {
          this.#state = "key";
          this.#keyParts = [];
          this.#keyBytes = 0;
        } else if (this.#atAudio()) {
          this.#keep(chunk.subarray(from, i));
          this.#keep(Buffer.from('""'));
          this.audioFields++;
          this.#state = "audio";
          i++;
          from = i;
          continue;
        } else this.#state = "string";
      } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (this.#stack.length >= MAX_DEPTH) throw new EnvelopeSyntaxError("the JSON is nested too deeply");
        this.#stack.push(
          c === 0x7b ? { kind: "object", key: undefined, expectKey: true } : { kind: "array" },
        );
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        const top = this.#stack.pop();
        if (!top || (top.kind === "object") !== (c === 0x7d))
          throw new EnvelopeSyntaxError("unbalanced JSON");
      } else if (c === 0x2c /* , */) {
        const top = this.#stack.at(-1);
        if (top?.kind === "object") top.expectKey = true;
      }
      i++;
    }
    if (this.#state !== "audio") this.#keep(chunk.subarray(from, n));
  }

  /** The envelope, once the body has ended; throws when the body stopped mid-string or mid-object. */
  end(): Buffer {
    if (this.#state !== "value" || this.#stack.length > 0) {
      throw new EnvelopeSyntaxError("the JSON body ends before it is complete");
    }
    return Buffer.concat(this.#envelope, this.#envelopeBytes);
  }

  /** A string value starting here is `data.full_audio`. */
  #atAudio(): boolean {
    const [root, data] = this.#stack;
    return (
      this.#stack.length === 2 &&
      root?.kind === "object" &&
      root.key === "data" &&
      data?.kind === "object" &&
      data.key === "full_audio"
    );
  }

  /** Skips a (non-audio) string's bytes from `i`, keeping a key's; returns where scanning resumes. */
  #scanString(chunk: Buffer, i: number): number {
    const start = i;
    for (; i < chunk.length; i++) {
      if (this.#escaped) this.#escaped = false;
      else if (chunk[i] === BACKSLASH) this.#escaped = true;
      else if (chunk[i] === QUOTE) {
        if (this.#state === "key") {
          this.#appendKey(chunk.subarray(start, i));
          this.#finishKey();
        }
        this.#state = "value";
        return i + 1;
      }
    }
    if (this.#state === "key") this.#appendKey(chunk.subarray(start, i));
    return i;
  }

  /** Keeps a key's raw bytes; one longer than MAX_KEY_BYTES is never one the scanner looks for. */
  #appendKey(bytes: Buffer): void {
    if (this.#keyBytes + bytes.length <= MAX_KEY_BYTES) this.#keyParts.push(Buffer.from(bytes));
    this.#keyBytes += bytes.length;
  }

  /** At a key's closing quote: the object's current key is now this one (its value comes next). */
  #finishKey(): void {
    const top = this.#stack.at(-1);
    if (top?.kind !== "object") return;
    let name: string | undefined;
    if (this.#keyBytes <= MAX_KEY_BYTES) {
      try {
        name = JSON.parse(`"${Buffer.concat(this.#keyParts).toString("utf8")}"`) as string;
      } catch {
        name = undefined; // JSON.parse of the envelope will say what is wrong with it
      }
    }
    top.key = name;
    top.expectKey = false;
    this.#keyParts = [];
    this.#keyBytes = 0;
  }

  /**
   * Hands the audio text from `i` to onAudio up to its closing quote; returns where scanning resumes. The
   * quote is searched once per chunk (an escaped quote is an error anyway), so an encoder that escapes
   * every `/` costs a search per escape, not a rescan of the chunk.
   */
  #scanAudio(chunk: Buffer, i: number): number {
    const n = chunk.length;
    const quote = chunk.indexOf(QUOTE, i);
    const end = quote === -1 ? n : quote;
    let slash = chunk.indexOf(BACKSLASH, i);
    while (i < end) {
      if (this.#audioEscape) {
        i = this.#scanAudioEscape(chunk, i);
        continue;
      }
      if (slash !== -1 && slash < i) slash = chunk.indexOf(BACKSLASH, i);
      const stop = slash !== -1 && slash < end ? slash : end;
      if (stop > i) this.#onAudio(chunk.toString("latin1", i, stop));
      if (stop === end) break;
      this.#audioEscape = "\\";
      i = stop + 1;
    }
    if (quote === -1) return n;
    // An escape right before the quote escapes the quote: never base64 (this throws).
    if (this.#audioEscape) this.#scanAudioEscape(chunk, quote);
    this.#state = "value";
    return quote + 1;
  }

  /** Reads an escape inside the audio string, possibly across chunks. */
  #scanAudioEscape(chunk: Buffer, i: number): number {
    const esc = this.#audioEscape + String.fromCharCode(chunk[i]!);
    if (esc === "\\/") this.#onAudio("/");
    else if (esc === "\\n" || esc === "\\r" || esc === "\\t") {
      // Line breaks of wrapped base64: not data.
    } else if (esc.startsWith("\\u") && esc.length < 6) {
      if (!/^\\u[0-9a-fA-F]*$/.test(esc)) throw new Base64Error("a bad escape in its JSON string");
      this.#audioEscape = esc;
      return i + 1;
    } else if (/^\\u[0-9a-fA-F]{4}$/.test(esc)) {
      const code = Number.parseInt(esc.slice(2), 16);
      if (code >= 0x80) throw new Base64Error("a character outside the base64 alphabet");
      this.#onAudio(String.fromCharCode(code));
    } else throw new Base64Error(`the escape ${esc} in its JSON string`);
    this.#audioEscape = "";
    return i + 1;
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#envelopeBytes += bytes.length;
    if (this.#envelopeBytes > this.#maxEnvelopeBytes) {
      throw new EnvelopeTooLargeError(
        `the webhook body (without its audio) exceeds ${this.#maxEnvelopeBytes} bytes`,
      );
    }
    // A copy: a view would keep the whole chunk (mostly audio, perhaps) alive.
    this.#envelope.push(Buffer.from(bytes));
  }
}
