import type { ParsedFont } from "./fontkit.ts";

type GlyphRun = { glyphs: unknown[]; positions: object[] };

/**
 * Shares text shaping across documents. pdfkit caches the shaped form of each word per document only, so
 * every report shapes "the", "refund", "Agent"… again through the font's OpenType tables (a third of a
 * warm render). This wraps a parsed font so `layout` (no extra features) answers from a process-wide cache.
 *
 * pdfkit scales a run's positions in place, so every answer is a fresh copy of the positions (same
 * prototype, so fontkit's getters such as `advanceWidth` still work); glyph objects are read-only and
 * shared. The cache is bounded: past `maxEntries` words it starts over.
 */
export function withLayoutCache(font: ParsedFont, maxEntries = 20_000): ParsedFont {
  const cache = new Map<string, GlyphRun>();
  const layout = (text: string, ...rest: unknown[]) => {
    if (rest.some((r) => r !== undefined))
      return (font.layout as (...a: unknown[]) => unknown)(text, ...rest);
    let run = cache.get(text);
    if (!run) {
      run = font.layout(text) as GlyphRun;
      if (cache.size >= maxEntries) cache.clear();
      cache.set(text, run);
    }
    return copy(run, { positions: run.positions.map((p) => copy(p, {})) });
  };
  return new Proxy(font, {
    get: (target, prop) => (prop === "layout" ? layout : Reflect.get(target, prop, target)),
  });
}

function copy<T extends object>(source: T, overrides: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(source)) as T, source, overrides);
}
