import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * A font parsed by fontkit, pdfkit's own font engine. pdfkit accepts one as a font source (anything with
 * `layout`) and embeds a fresh subset of it per document.
 */
export interface ParsedFont {
  layout(text: string): unknown;
  hasGlyphForCodePoint(codePoint: number): boolean;
}

// The fontkit pdfkit itself loads (resolved from pdfkit's own folder), so both agree on the font objects.
const fontkit = createRequire(createRequire(import.meta.url).resolve("pdfkit"))("fontkit") as {
  create(data: Buffer): ParsedFont;
};

/** A font file (TTF/OTF) parsed by fontkit, uncached (`loadReportFonts` is what the service uses). */
export function parseFontFile(path: string): ParsedFont {
  return withCodePointsKept(fontkit.create(readFileSync(path)));
}

/** A font already in memory (a decoded WOFF2) parsed by fontkit. */
export function parseFontBuffer(data: Buffer): ParsedFont {
  return withCodePointsKept(fontkit.create(data));
}

interface Glyph {
  codePoints: number[];
}

/**
 * fontkit caches one glyph object per glyph id, with the characters of the call that created it. Embedding
 * a composite glyph (Greek "Ο" is built on Latin "O" in DejaVu) creates its components with no characters,
 * and every later layout of that letter — in any report, the font being shared — then gets the empty
 * object, so pdfkit writes no ToUnicode entry for it and the PDF's text reads back without it. The first
 * characters seen for a glyph are kept instead.
 */
function withCodePointsKept(font: ParsedFont): ParsedFont {
  const f = font as ParsedFont & { getGlyph(id: number, codePoints?: number[]): Glyph };
  const getGlyph = f.getGlyph;
  f.getGlyph = function (this: unknown, id: number, codePoints: number[] = []) {
    const glyph = getGlyph.call(this, id, codePoints);
    if (glyph.codePoints.length === 0 && codePoints.length > 0) glyph.codePoints = codePoints;
    return glyph;
  };
  return f;
}
