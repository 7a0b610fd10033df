import { createRequire } from "node:module";
import { cjkPreference, createFallbackFonts, type FallbackFonts } from "./fallback-fonts.ts";
import { type ParsedFont, parseFontFile } from "./fontkit.ts";
import { withLayoutCache } from "./layout-cache.ts";
import { woff2Ready } from "./woff2.ts";

export { type ParsedFont, parseFontFile } from "./fontkit.ts";

/**
 * The fonts a report draws with: one for text, one for headings and labels, and the Noto fallbacks for the
 * scripts those two lack (CJK, Devanagari, Bengali, Tamil, Telugu, Thai).
 */
export interface ReportFonts {
  regular: ParsedFont;
  bold: ParsedFont;
  fallback: FallbackFonts;
}

const require = createRequire(import.meta.url);

/** DejaVu Sans (the `dejavu-fonts-ttf` package): Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic. */
export const defaultFontPaths = {
  regular: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
  bold: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
};

const cache = new Map<string, ParsedFont>();
let fallback: FallbackFonts | undefined;

/**
 * Reads and parses each font file once per process. Handing pdfkit a raw TTF makes it parse the font's
 * tables again for every document (~30 ms for DejaVu Sans, most of a report's cost); a parsed font is
 * shared, read-only, by every report, and so is the shaping of its words (`withLayoutCache`). Paths default
 * to DejaVu Sans. Async only to wait, once, for the WOFF2 decoder the fallback fonts need.
 */
export async function loadReportFonts(
  paths: { regular?: string | undefined; bold?: string | undefined } = {},
): Promise<ReportFonts> {
  await woff2Ready();
  const load = (path: string) => {
    let font = cache.get(path);
    if (!font) {
      font = withLayoutCache(parseFontFile(path));
      cache.set(path, font);
    }
    return font;
  };
  const regular = paths.regular ?? defaultFontPaths.regular;
  fallback ??= createFallbackFonts();
  return {
    regular: load(regular),
    // A custom regular font without a bold companion is used for both (DejaVu Bold would not match it).
    bold: load(paths.bold ?? (paths.regular ? regular : defaultFontPaths.bold)),
    fallback,
  };
}

/**
 * The distinct characters of `texts` that neither the report's font nor a fallback has a glyph for
 * (whitespace and controls aside): they would print as empty boxes, so the report says so instead of
 * pretending.
 */
export function uncoveredCharacters(fonts: ReportFonts, texts: Iterable<string>): string[] {
  const missing = new Set<string>();
  const seen = new Set<number>();
  for (const text of texts) {
    // ASCII is DejaVu's: most texts need no look-up at all.
    if (/^[\x20-\x7E\n]*$/.test(text)) continue;
    const prefer = cjkPreference(text);
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || seen.has(cp)) continue;
      seen.add(cp);
      if (/\s/.test(ch) || fonts.regular.hasGlyphForCodePoint(cp)) continue;
      if (!fonts.fallback.fontFor(ch, prefer)) missing.add(ch);
    }
  }
  return [...missing];
}
