import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, expect, it } from "vitest";
import { parseFontBuffer } from "./fontkit.ts";
import { atWeight, type VariableFont } from "./variable-font.ts";
import { decodeWoff2, woff2Ready } from "./woff2.ts";

interface Glyph {
  id: number;
  path: { bbox: { minX: number; minY: number; maxX: number; maxY: number }; commands: unknown[] };
  advanceWidth: number;
}
type Subset = ReturnType<VariableFont["createSubset"]> & {
  includeGlyph(id: number): number;
  encode(): Uint8Array;
};
type Font = Omit<VariableFont, "createSubset"> & {
  createSubset(): Subset;
  glyphForCodePoint(cp: number): Glyph;
};

const require = createRequire(import.meta.url);
const woff2 = (file: string) => readFileSync(require.resolve(file));
const open = (file: string) => parseFontBuffer(decodeWoff2(woff2(file))) as unknown as Font;
// The Noto Sans SC file that holds 退 (U+9000).
const scFile = "@fontsource-variable/noto-sans-sc/files/noto-sans-sc-114-wght-normal.woff2";

beforeAll(() => woff2Ready());

/** Embeds `glyph` alone as fontkit would for pdfkit, and reads the embedded font back. */
function embedded(font: Font, glyph: Glyph): Glyph {
  const subset = font.createSubset();
  const gid = subset.includeGlyph(glyph.id);
  return (
    parseFontBuffer(Buffer.from(subset.encode())) as unknown as Font & { getGlyph(id: number): Glyph }
  ).getGlyph(gid);
}

it("sets a variable CJK font (default Thin) to Regular, and embeds the Regular outlines", () => {
  const thin = open(scFile);
  const regular = atWeight(open(scFile), 400);
  expect(thin.variationAxes.wght!.default).toBe(100);
  const cp = "退".codePointAt(0)!;
  const [t, r] = [thin.glyphForCodePoint(cp), regular.glyphForCodePoint(cp)];
  expect(r.id).toBe(t.id);
  // Heavier strokes reach further out than the hairline master.
  expect(r.path.bbox.minX).toBeLessThan(t.path.bbox.minX);
  const e = embedded(regular, r);
  for (const k of ["minX", "minY", "maxX", "maxY"] as const) {
    expect(Math.abs(e.path.bbox[k] - r.path.bbox[k]), k).toBeLessThanOrEqual(1);
  }
  expect(e.path.commands.length).toBeGreaterThan(10);
  expect(e.advanceWidth).toBe(r.advanceWidth);
});

it("leaves a font already at that weight untouched (its own glyph bytes are embedded)", () => {
  const thai = open("@fontsource-variable/noto-sans-thai/files/noto-sans-thai-thai-wght-normal.woff2");
  expect(atWeight(thai, 400).variationCoords).toBeNull();
  const glyph = thai.glyphForCodePoint("ค".codePointAt(0)!);
  expect(embedded(thai, glyph).path.bbox).toEqual(glyph.path.bbox);
});

it("fontkit cannot subset WOFF2 itself: embedding the undecoded file garbles the glyph (why woff2.ts exists)", () => {
  const raw = parseFontBuffer(
    woff2("@fontsource-variable/noto-sans-thai/files/noto-sans-thai-thai-wght-normal.woff2"),
  ) as unknown as Font;
  const glyph = raw.glyphForCodePoint("ค".codePointAt(0)!);
  let readBack: unknown;
  try {
    readBack = embedded(raw, glyph).path.bbox;
  } catch (err) {
    readBack = err;
  }
  expect(readBack).not.toEqual(glyph.path.bbox);
});
