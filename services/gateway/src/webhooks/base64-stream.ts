/** The text is not (standard, RFC 4648 §4) base64. */
export class Base64Error extends Error {
  override name = "Base64Error";
}

const ALPHABET = /^[A-Za-z0-9+/=]*$/;
// The last group: two or three data characters, then padding up to four.
const LAST_GROUP = /^[A-Za-z0-9+/]{2}(?:==|[A-Za-z0-9+/]=)$/;
const EMPTY = Buffer.alloc(0);

/**
 * Decodes base64 text that arrives in pieces of any length, holding at most three characters between
 * pieces. Strict, unlike `Buffer.from(s, "base64")`, which skips what it does not understand: a character
 * outside the alphabet, padding before the end or a dangling character is a `Base64Error`, so a corrupt
 * recording is refused instead of stored damaged. Unpadded input is accepted.
 */
export class Base64StreamDecoder {
  #carry = "";
  #finished = false;

  /** Decodes `text` (with what was held back), returning every whole byte it completes. */
  write(text: string): Buffer {
    if (text.length === 0) return EMPTY;
    if (this.#finished) throw new Base64Error("base64 continues after its padding");
    if (!ALPHABET.test(text)) throw new Base64Error("a character outside the base64 alphabet");
    const s = this.#carry + text;
    const pad = s.indexOf("=");
    if (pad === -1) {
      const whole = s.length - (s.length % 4);
      this.#carry = s.slice(whole);
      return whole ? Buffer.from(s.slice(0, whole), "base64") : EMPTY;
    }
    // Padding ends the data: the group holding it must be the last one.
    const last = pad - (pad % 4);
    const tail = s.slice(last);
    if (tail.length > 4) throw new Base64Error("base64 continues after its padding");
    const head = last ? Buffer.from(s.slice(0, last), "base64") : EMPTY;
    if (tail.length < 4) {
      this.#carry = tail;
      return head;
    }
    if (!LAST_GROUP.test(tail)) throw new Base64Error("misplaced base64 padding");
    this.#carry = "";
    this.#finished = true;
    return head.length ? Buffer.concat([head, Buffer.from(tail, "base64")]) : Buffer.from(tail, "base64");
  }

  /** The last bytes, once the text is complete; throws when it stopped mid-group. */
  end(): Buffer {
    const rest = this.#carry;
    this.#carry = "";
    if (rest.length === 0) return EMPTY;
    if (rest.includes("=") || rest.length === 1) throw new Base64Error("base64 ends mid-group");
    return Buffer.from(rest, "base64");
  }
}
