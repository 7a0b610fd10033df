import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type ParsedFont, parseFontBuffer } from "./fontkit.ts";
import { withLayoutCache } from "./layout-cache.ts";
import { atWeight, type VariableFont } from "./variable-font.ts";
import { decodeWoff2 } from "./woff2.ts";

/** Which CJK font draws Han characters: they look different in Chinese, Japanese and Korean text. */
export type CjkPreference = "zh" | "ja" | "ko";

/** A fallback font as drawn: the name it is registered under in a document, and the font. */
export interface FallbackFont {
  key: string;
  font: ParsedFont;
}

/** The fonts tried, in order, for what the report's main font (DejaVu Sans) cannot draw. */
export interface FallbackFonts {
  /** The first fallback font that draws every character of `cluster` (a grapheme cluster), if any. */
  fontFor(cluster: string, prefer?: CjkPreference): FallbackFont | undefined;
}

interface Family {
  /** An npm package of the Fontsource variable build of a Noto Sans font (OFL-1.1). */
  pkg: string;
  /** PostScript family name as embedded (the font's own says "Thin", the variable default). */
  name: string;
  cjk?: CjkPreference;
}

/**
 * Noto Sans for the scripts DejaVu Sans lacks. Fontsource splits each font into WOFF2 files by Unicode range
 * (a CJK font into ~100), listed in the package's `unicode.json`, so a report loads only the files of the
 * characters it uses (each decoded once per process), and pdfkit embeds only the glyphs it draws.
 */
const families: Family[] = [
  { pkg: "@fontsource-variable/noto-sans-sc", name: "NotoSansSC", cjk: "zh" },
  { pkg: "@fontsource-variable/noto-sans-tc", name: "NotoSansTC", cjk: "zh" },
  { pkg: "@fontsource-variable/noto-sans-jp", name: "NotoSansJP", cjk: "ja" },
  { pkg: "@fontsource-variable/noto-sans-kr", name: "NotoSansKR", cjk: "ko" },
  { pkg: "@fontsource-variable/noto-sans-devanagari", name: "NotoSansDevanagari" },
  { pkg: "@fontsource-variable/noto-sans-bengali", name: "NotoSansBengali" },
  { pkg: "@fontsource-variable/noto-sans-tamil", name: "NotoSansTamil" },
  { pkg: "@fontsource-variable/noto-sans-telugu", name: "NotoSansTelugu" },
  { pkg: "@fontsource-variable/noto-sans-thai", name: "NotoSansThai" },
  { pkg: "@fontsource-variable/noto-sans-gujarati", name: "NotoSansGujarati" },
  { pkg: "@fontsource-variable/noto-sans-gurmukhi", name: "NotoSansGurmukhi" },
  { pkg: "@fontsource-variable/noto-sans-kannada", name: "NotoSansKannada" },
  { pkg: "@fontsource-variable/noto-sans-malayalam", name: "NotoSansMalayalam" },
  { pkg: "@fontsource-variable/noto-sans-sinhala", name: "NotoSansSinhala" },
  { pkg: "@fontsource-variable/noto-sans-khmer", name: "NotoSansKhmer" },
  { pkg: "@fontsource-variable/noto-sans-lao", name: "NotoSansLao" },
  { pkg: "@fontsource-variable/noto-sans-myanmar", name: "NotoSansMyanmar" },
  { pkg: "@fontsource-variable/noto-sans-ethiopic", name: "NotoSansEthiopic" },
  // Monochrome outlines: PDF text cannot carry colour emoji bitmaps, and a drawn shape beats a box.
  { pkg: "@fontsource-variable/noto-emoji", name: "NotoEmoji" },
];

/** Every family's npm package, for the licence and size notes (README). */
export const fallbackPackages = families.map((f) => f.pkg);

const require = createRequire(import.meta.url);
/** Format-marks fonts need not have: a cluster is still drawn whole by a font lacking them. */
const ignorable = (cp: number) =>
  (cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || (cp >= 0xfe00 && cp <= 0xfe0f);

/**
 * The Noto fallbacks at regular weight (bold text in these scripts is drawn regular). Fonts load lazily, the
 * first time a character needs them, and stay loaded for the process; `woff2Ready()` must have resolved.
 */
export function createFallbackFonts(weight = 400): FallbackFonts {
  const loaded = new Map<string, FallbackFont>();
  const tables = new Map<Family, Map<number, string>>();

  // Code point → subset file of a family, from the package's unicode.json (built on first use).
  const fileOf = (family: Family, cp: number) => {
    let table = tables.get(family);
    if (!table) {
      table = new Map();
      const index = require.resolve(`${family.pkg}/unicode.json`);
      const id = family.pkg.split("/")[1]!;
      const ranges = JSON.parse(readFileSync(index, "utf8")) as Record<string, string>;
      for (const [subset, list] of Object.entries(ranges)) {
        const file = join(dirname(index), "files", `${id}-${subset.replace(/[[\]]/g, "")}-wght-normal.woff2`);
        for (const range of list.split(",")) {
          const [lo, hi = lo] = range.trim().replace(/^U\+/i, "").split("-") as [string, string?];
          for (let c = Number.parseInt(lo, 16); c <= Number.parseInt(hi, 16); c++) {
            if (!table.has(c)) table.set(c, file);
          }
        }
      }
      tables.set(family, table);
    }
    return table.get(cp);
  };

  const load = (family: Family, file: string) => {
    let entry = loaded.get(file);
    if (entry === undefined) {
      const subset = /-([^-]+)-wght-normal\.woff2$/.exec(file)?.[1] ?? "x";
      const font = atWeight(
        parseFontBuffer(decodeWoff2(readFileSync(file))) as ParsedFont & VariableFont,
        weight,
      );
      // One PDF font per file, named for what it is: pdfkit merges fonts that share a name.
      const name = `${family.name}-Regular-${subset}`;
      Object.defineProperty(font, "postscriptName", { value: name });
      entry = { key: `fallback:${name}`, font: withLayoutCache(font) };
      loaded.set(file, entry);
    }
    return entry;
  };

  // Reports repeat the same characters: the answer per cluster is kept (bounded, like the layout cache).
  const answers = new Map<string, FallbackFont | null>();
  const find = (cluster: string, prefer: CjkPreference) => {
    const base = cluster.codePointAt(0)!;
    for (const family of ordered(prefer)) {
      const file = fileOf(family, base);
      if (!file) continue;
      const candidate = load(family, file);
      const covers = [...cluster].every((ch) => {
        const cp = ch.codePointAt(0)!;
        return ignorable(cp) || candidate.font.hasGlyphForCodePoint(cp);
      });
      if (covers) return candidate;
    }
    return null;
  };

  return {
    fontFor(cluster, prefer = "zh") {
      const key = `${prefer}:${cluster}`;
      let answer = answers.get(key);
      if (answer === undefined) {
        answer = find(cluster, prefer);
        if (answers.size >= 50_000) answers.clear();
        answers.set(key, answer);
      }
      return answer ?? undefined;
    },
  };
}

const orders = new Map<CjkPreference, Family[]>();
/** The families with the preferred CJK font first (the rest keep their order). */
function ordered(prefer: CjkPreference): Family[] {
  let order = orders.get(prefer);
  if (!order) {
    order = [...families].sort((a, b) => Number(b.cjk === prefer) - Number(a.cjk === prefer));
    orders.set(prefer, order);
  }
  return order;
}

/** Japanese if the text has kana, Korean if it has Hangul, else Chinese. */
export function cjkPreference(text: string): CjkPreference {
  if (/[\u3040-\u30FF\u31F0-\u31FF]/u.test(text)) return "ja";
  if (/[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]/u.test(text)) return "ko";
  return "zh";
}
