import { baseDirection, hasRtl, visualOrder, wordLevels } from "./bidi.ts";
import type { ReportFonts } from "./fonts.ts";
import { textRuns, useFont } from "./text-runs.ts";

type TextOptions = PDFKit.Mixins.TextOptions;
type Weight = "regular" | "bold";

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Draws text that contains right-to-left words. pdfkit wraps and places words left to right only, so an
 * Arabic or Hebrew sentence came out with its words in reverse reading order. Here the paragraph is wrapped
 * by this function, each line's words are put in visual order (bidi.ts), a right-to-left paragraph is
 * right-aligned, and every word is drawn at its own position (fontkit lays out a word's right-to-left glyphs
 * itself). Pages break like pdfkit's own text. Called by drawText for such text only.
 */
export function drawBidiText(
  doc: PDFKit.PDFDocument,
  fonts: ReportFonts,
  weight: Weight,
  text: string,
  at: { x?: number; y?: number },
  opts: TextOptions,
): PDFKit.PDFDocument {
  const continued = at.x === undefined;
  // After a lead drawn with `continued` (a label, a time): end that line; this text starts below it (the
  // lead's end is pdfkit's private state, and a right-aligned line must not run into it).
  if (continued) doc.text("", { continued: false });
  const left = at.x ?? doc.x;
  doc.font(weight);
  const lineHeight = doc.currentLineHeight(true) + (opts.lineGap ?? 0);
  let y = at.y ?? doc.y + (continued ? lineHeight : 0);
  const width = opts.width ?? doc.page.width - doc.page.margins.right - left;
  const space = doc.widthOfString(" ");

  const place = (line: { word: string; width: number }[], base: "ltr" | "rtl") => {
    if (y + lineHeight > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    const ordered = visualOrder(
      line,
      wordLevels(
        line.map((w) => w.word),
        base,
      ),
    );
    const total = ordered.reduce((n, w) => n + w.width, 0) + space * Math.max(0, ordered.length - 1);
    let x = base === "rtl" ? left + width - total : left;
    for (const w of ordered) {
      drawWord(doc, fonts, weight, w.word, x, y);
      x += w.width + space;
    }
    y += lineHeight;
  };

  for (const paragraph of text.split("\n")) {
    const base = baseDirection(paragraph);
    const words = paragraph
      .split(" ")
      .filter(Boolean)
      .flatMap((word) => fitted(doc, fonts, weight, word, width));
    let line: { word: string; width: number }[] = [];
    let used = 0;
    for (const w of words) {
      if (line.length && used + space + w.width > width) {
        place(line, base);
        line = [];
        used = 0;
      }
      used += (line.length ? space : 0) + w.width;
      line.push(w);
    }
    if (line.length) place(line, base);
    else y += lineHeight;
  }
  doc.x = left;
  doc.y = y;
  return doc.font(weight);
}

/** A word with its width; one wider than the line is cut between grapheme clusters. */
function fitted(
  doc: PDFKit.PDFDocument,
  fonts: ReportFonts,
  weight: Weight,
  word: string,
  width: number,
): { word: string; width: number }[] {
  const whole = widthOf(doc, fonts, weight, word);
  if (whole <= width) return [{ word, width: whole }];
  const pieces: { word: string; width: number }[] = [];
  let piece = "";
  for (const { segment } of graphemes.segment(word)) {
    if (piece && widthOf(doc, fonts, weight, piece + segment) > width) {
      pieces.push({ word: piece, width: widthOf(doc, fonts, weight, piece) });
      piece = "";
    }
    piece += segment;
  }
  if (piece) pieces.push({ word: piece, width: widthOf(doc, fonts, weight, piece) });
  return pieces;
}

function widthOf(doc: PDFKit.PDFDocument, fonts: ReportFonts, weight: Weight, word: string): number {
  let width = 0;
  for (const run of textRuns(word, weight, fonts)) {
    useFont(doc, run, weight);
    width += doc.widthOfString(run.text);
  }
  doc.font(weight);
  return width;
}

/** One word at (x, y); a right-to-left word's font runs go right to left too. */
function drawWord(
  doc: PDFKit.PDFDocument,
  fonts: ReportFonts,
  weight: Weight,
  word: string,
  x: number,
  y: number,
): void {
  const runs = textRuns(word, weight, fonts);
  const rtl = hasRtl(word);
  let at = x;
  for (const run of rtl ? runs.reverse() : runs) {
    useFont(doc, run, weight);
    doc.text(run.text, at, y, { lineBreak: false });
    at += doc.widthOfString(run.text);
  }
}
