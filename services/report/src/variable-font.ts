/** The parts of a fontkit TrueType font and its glyph paths that setting a weight touches. */
export interface VariableFont {
  variationAxes: Record<string, { min: number; default: number; max: number }>;
  variationCoords: number[] | null;
  fvar?: { axis: { axisTag: string; defaultValue: number }[] };
  createSubset(): { glyphEncoder: { encodeSimple(path: GlyphPath): Uint8Array } };
}

/** A glyph outline as fontkit gives it (TrueType fonts: quadratic curves only). */
export interface GlyphPath {
  commands: { command: string; args: number[] }[];
}

/**
 * Sets a variable font to `weight` (the `wght` axis), so it lays out and embeds that instance: the CJK
 * Noto fonts ship as one variable font whose default is Thin, which would print hairlines. Fonts without a
 * `wght` axis, or already at that weight by default, are returned untouched.
 *
 * fontkit embeds a variable instance by re-encoding each subset glyph from its varied outline, but its
 * encoder throws on fontkit's own restructure version (and would write fractional coordinates), so the
 * subset gets `encodeSimpleGlyph` instead. Must be called before the font is first used: fontkit caches the
 * variation processor and glyphs.
 */
export function atWeight<F extends VariableFont>(font: F, weight: number): F {
  const axis = font.variationAxes.wght;
  if (!axis || !font.fvar || axis.default === weight) return font;
  font.variationCoords = font.fvar.axis.map((a) =>
    a.axisTag.trim() === "wght" ? Math.min(axis.max, Math.max(axis.min, weight)) : a.defaultValue,
  );
  const createSubset = font.createSubset;
  font.createSubset = function (this: F) {
    const subset = createSubset.call(this);
    subset.glyphEncoder = { encodeSimple: encodeCached };
    return subset;
  };
  return font;
}

// fontkit keeps one path object per glyph, so every report embedding a glyph reuses its bytes.
const encoded = new WeakMap<GlyphPath, Uint8Array>();
function encodeCached(path: GlyphPath): Uint8Array {
  let bytes = encoded.get(path);
  if (!bytes) {
    bytes = encodeSimpleGlyph(path);
    encoded.set(path, bytes);
  }
  return bytes;
}

const onCurve = 0x01;
const xShort = 0x02;
const yShort = 0x04;
const xSameOrPositive = 0x10;
const ySameOrPositive = 0x20;

/**
 * A TrueType simple glyph (the `glyf` table record) from an outline: integer coordinates, no hinting
 * instructions (the font's hints fit its default outlines, not the varied ones). An empty outline → no bytes.
 */
export function encodeSimpleGlyph(path: GlyphPath): Uint8Array {
  const points: { x: number; y: number; on: boolean }[] = [];
  const ends: number[] = [];
  let contourStart = 0;
  const endContour = () => {
    const first = points[contourStart];
    const last = points.at(-1);
    // fontkit's paths return to the start point explicitly; the format closes contours by itself.
    if (points.length - contourStart > 1 && first && last?.on && last.x === first.x && last.y === first.y)
      points.pop();
    if (points.length > contourStart) ends.push(points.length - 1);
    contourStart = points.length;
  };
  for (const { command, args } of path.commands) {
    const at = (i: number, on: boolean) =>
      points.push({ x: Math.round(args[i]!), y: Math.round(args[i + 1]!), on });
    if (command === "moveTo") {
      endContour();
      at(0, true);
    } else if (command === "lineTo") at(0, true);
    else if (command === "quadraticCurveTo") {
      at(0, false);
      at(2, true);
    } else if (command === "closePath") endContour();
    else throw new Error(`a TrueType glyph cannot hold a ${command} segment`);
  }
  endContour();
  if (!points.length) return new Uint8Array(0);

  const flags: number[] = [];
  const xBytes: number[] = [];
  const yBytes: number[] = [];
  let px = 0;
  let py = 0;
  for (const p of points) {
    let flag = p.on ? onCurve : 0;
    flag |= delta(p.x - px, xBytes, xShort, xSameOrPositive);
    flag |= delta(p.y - py, yBytes, yShort, ySameOrPositive);
    flags.push(flag);
    px = p.x;
    py = p.y;
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const size = 10 + 2 * ends.length + 2 + flags.length + xBytes.length + yBytes.length;
  const out = new DataView(new ArrayBuffer(Math.ceil(size / 4) * 4));
  let o = 0;
  const i16 = (v: number) => {
    out.setInt16(o, v);
    o += 2;
  };
  for (const v of [ends.length, Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]) i16(v);
  for (const e of ends) i16(e);
  i16(0); // no instructions
  for (const b of [...flags, ...xBytes, ...yBytes]) out.setUint8(o++, b);
  return new Uint8Array(out.buffer);
}

/** Appends one coordinate delta in its shortest form and returns the flag bits that describe it. */
function delta(d: number, bytes: number[], short: number, sameOrPositive: number): number {
  if (d === 0) return sameOrPositive;
  if (Math.abs(d) <= 255) {
    bytes.push(Math.abs(d));
    return short | (d > 0 ? sameOrPositive : 0);
  }
  bytes.push((d >> 8) & 0xff, d & 0xff);
  return 0;
}
