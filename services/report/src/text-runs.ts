import { cjkPreference, type FallbackFont } from "./fallback-fonts.ts";
import type { ReportFonts } from "./fonts.ts";

/** A piece of text and the registered font that draws it. */
export interface TextRun {
  text: string;
  /** The name the font is registered under in the document (`regular`, `bold`, `fallback:…`). */
  key: string;
  font: FallbackFont["font"];
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Splits `text` into runs by the font that covers each grapheme cluster: the report's own font (regular or
 * bold) where it has the glyphs, else the first fallback that draws the whole cluster (a Devanagari
 * consonant with its vowel signs stays in one font, so it is shaped together), else the report's font
 * (an empty box, which the coverage note owns up to). Whitespace stays in the report's font.
 */
export function textRuns(text: string, weight: "regular" | "bold", fonts: ReportFonts): TextRun[] {
  const primary: TextRun = { text, key: weight, font: fonts[weight] };
  if (covered(text, primary.font)) return [primary];
  const prefer = cjkPreference(text);
  const runs: TextRun[] = [];
  for (const { segment } of graphemes.segment(text)) {
    const pick =
      /^\s+$/u.test(segment) || covered(segment, primary.font)
        ? primary
        : (fonts.fallback.fontFor(segment, prefer) ?? primary);
    const last = runs.at(-1);
    if (last?.key === pick.key) last.text += segment;
    else runs.push({ text: segment, key: pick.key, font: pick.font });
  }
  return runs;
}

/** Every character of `text` (controls aside) has a glyph in `font`; plain ASCII is taken as read. */
function covered(text: string, font: TextRun["font"]): boolean {
  if (/^[\x20-\x7E\n]*$/.test(text)) return true;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && !font.hasGlyphForCodePoint(cp)) return false;
  }
  return true;
}

/** Makes `run`'s font the document's current one (registering a fallback font under its key first). */
export function useFont(doc: PDFKit.PDFDocument, run: Pick<TextRun, "key" | "font">, weight: string): void {
  // pdfkit takes a parsed fontkit font as a source at run time; its types only list files and buffers.
  if (run.key !== weight) doc.registerFont(run.key, run.font as unknown as Buffer);
  doc.font(run.key);
}
