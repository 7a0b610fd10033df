import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { withLayoutCache } from "./layout-cache.ts";

/**
 * A font parsed by fontkit, pdfkit's own font engine. pdfkit accepts one as a font source (anything with
 * `layout`) and embeds a fresh subset of it per document.
 */
export interface ParsedFont {
  layout(text: string): unknown;
  hasGlyphForCodePoint(codePoint: number): boolean;
}

/** The fonts a report embeds: one for text, one for headings and labels. */
export interface ReportFonts {
  regular: ParsedFont;
  bold: ParsedFont;
}

const require = createRequire(import.meta.url);

/** DejaVu Sans (the `dejavu-fonts-ttf` package): Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic. */
export const defaultFontPaths = {
  regular: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
  bold: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
};

// The fontkit pdfkit itself loads (resolved from pdfkit's own folder), so both agree on the font objects.
const fontkit = createRequire(require.resolve("pdfkit"))("fontkit") as {
  create(data: Buffer): ParsedFont;
};

const cache = new Map<string, ParsedFont>();

/** A font file parsed by fontkit, uncached (`loadReportFonts` is what the service uses). */
export function parseFontFile(path: string): ParsedFont {
  return fontkit.create(readFileSync(path));
}

/**
 * Reads and parses each font file once per process. Handing pdfkit a raw TTF makes it parse the font's
 * tables again for every document (~30 ms for DejaVu Sans, most of a report's cost); a parsed font is
 * shared, read-only, by every report, and so is the shaping of its words (`withLayoutCache`). Paths default to DejaVu Sans; an operator who needs CJK or Indic
 * scripts points `REPORT_FONT_PATH` / `REPORT_BOLD_FONT_PATH` at TTF files that cover them.
 */
export function loadReportFonts(
  paths: { regular?: string | undefined; bold?: string | undefined } = {},
): ReportFonts {
  const load = (path: string) => {
    let font = cache.get(path);
    if (!font) {
      font = withLayoutCache(parseFontFile(path));
      cache.set(path, font);
    }
    return font;
  };
  const regular = paths.regular ?? defaultFontPaths.regular;
  return {
    regular: load(regular),
    // A custom regular font without a bold companion is used for both (DejaVu Bold would not match it).
    bold: load(paths.bold ?? (paths.regular ? regular : defaultFontPaths.bold)),
  };
}

/**
 * The distinct characters of `texts` the font has no glyph for (whitespace and controls aside): they would
 * print as empty boxes, so the report says so instead of pretending.
 */
export function uncoveredCharacters(font: ParsedFont, texts: Iterable<string>): string[] {
  const missing = new Set<string>();
  const seen = new Set<number>();
  for (const text of texts) {
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || seen.has(cp)) continue;
      seen.add(cp);
      if (!/\s/.test(ch) && !font.hasGlyphForCodePoint(cp)) missing.add(ch);
    }
  }
  return [...missing];
}
