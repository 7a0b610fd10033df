import { hasRtl } from "./bidi.ts";
import { drawBidiText } from "./bidi-text.ts";
import type { ReportFonts } from "./fonts.ts";
import { textRuns, useFont } from "./text-runs.ts";

type TextOptions = PDFKit.Mixins.TextOptions;

/**
 * Draws `text` as one paragraph in the fonts `textRuns` picks: a single `text` call when one font covers
 * it (the common case), else one pdfkit `continued` call per run, so line wrapping runs across the runs.
 * Leaves the document's font on the report's own font, as a plain `text` call would.
 */
export function drawText(
  doc: PDFKit.PDFDocument,
  fonts: ReportFonts,
  weight: "regular" | "bold",
  text: string,
  at: { x?: number; y?: number },
  opts: TextOptions = {},
): PDFKit.PDFDocument {
  // Right-to-left words need their own line layout (pdfkit places words left to right only).
  if (hasRtl(text)) return drawBidiText(doc, fonts, weight, text, at, opts);
  const runs = textRuns(text, weight, fonts);
  runs.forEach((run, i) => {
    useFont(doc, run, weight);
    const options = { ...opts, continued: i < runs.length - 1 || opts.continued === true };
    if (i === 0 && at.x !== undefined) doc.text(run.text, at.x, at.y, options);
    else doc.text(run.text, options);
  });
  return doc.font(weight);
}
