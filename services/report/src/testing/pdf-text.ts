/**
 * Reads back the text of an uncompressed pdfkit document (`compress: false`), for tests. pdfkit draws an
 * embedded font's text as glyph ids (`[<0001000a> 12.5 <0003>] TJ`), not as characters, so the text is
 * found by mapping the ids through each font's ToUnicode CMap. Pages in order; each text run on its own
 * line. Only what pdfkit writes is understood; this is not a general PDF parser.
 */
export function pdfText(pdf: Buffer): string[] {
  return pdfTextRuns(pdf).map((runs) => runs.map((r) => r.text).join("\n"));
}

/** One `TJ` text run as drawn: where, in which font (its `/BaseFont`) and size, and its text. */
export interface PdfTextRun {
  x: number;
  y: number;
  font: string;
  size: number;
  text: string;
}

/** The text runs of each page, in drawing order (an uncompressed pdfkit document, as for `pdfText`). */
export function pdfTextRuns(pdf: Buffer): PdfTextRun[][] {
  const src = pdf.toString("latin1");
  const objects = new Map<string, string>();
  for (const m of src.matchAll(/(?:^|\n)(\d+) 0 obj\n([\s\S]*?)\nendobj/g)) objects.set(m[1]!, m[2]!);
  const obj = (ref: string) => {
    const body = objects.get(ref);
    if (body === undefined) throw new Error(`object ${ref} not found (is the PDF compressed?)`);
    return body;
  };
  const streamOf = (ref: string) => /stream\n([\s\S]*)\nendstream/.exec(obj(ref))?.[1] ?? "";

  const cmaps = new Map<string, Map<number, string>>();
  const cmapOfFont = (fontRef: string) => {
    let cmap = cmaps.get(fontRef);
    if (!cmap) {
      cmap = new Map();
      const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(obj(fontRef))?.[1];
      if (toUnicode) {
        for (const range of streamOf(toUnicode).matchAll(/<([0-9a-f]+)> <[0-9a-f]+> \[([^\]]*)\]/g)) {
          let code = Number.parseInt(range[1]!, 16);
          // `<>`: a glyph pdfkit knows no characters for; it still takes its place in the range.
          for (const entry of range[2]!.matchAll(/<([0-9a-f ]*)>/g)) {
            const units = entry[1] ? entry[1].split(" ").map((h) => Number.parseInt(h, 16)) : [];
            cmap.set(code++, String.fromCharCode(...units));
          }
        }
      }
      cmaps.set(fontRef, cmap);
    }
    return cmap;
  };
  const baseFont = (fontRef: string) => /\/BaseFont \/(\S+)/.exec(obj(fontRef))?.[1] ?? "";

  const catalogPages = [...src.matchAll(/\/Type \/Pages\n[\s\S]*?\/Kids \[([^\]]*)\]/g)].flatMap((m) =>
    [...m[1]!.matchAll(/(\d+) 0 R/g)].map((r) => r[1]!),
  );
  return catalogPages.map((pageRef) => {
    const page = obj(pageRef);
    const resources = obj(/\/Resources (\d+) 0 R/.exec(page)![1]!);
    const fonts = new Map(
      [...(/\/Font <<([\s\S]*?)>>/.exec(resources)?.[1] ?? "").matchAll(/\/(\w+) (\d+) 0 R/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    const runs: PdfTextRun[] = [];
    let cmap = new Map<number, string>();
    let at = { x: 0, y: 0, font: "", size: 0 };
    for (const op of streamOf(/\/Contents (\d+) 0 R/.exec(page)![1]!).matchAll(
      /1 0 0 1 ([\d.-]+) ([\d.-]+) Tm|\/(\w+) ([\d.]+) Tf|\[((?:<[0-9a-f]*>|[\s\d.-])*)\] TJ/g,
    )) {
      if (op[1]) {
        at = { ...at, x: Number(op[1]), y: Number(op[2]) };
        continue;
      }
      if (op[3]) {
        const ref = fonts.get(op[3]) ?? "";
        cmap = cmapOfFont(ref);
        at = { ...at, font: baseFont(ref), size: Number(op[4]) };
        continue;
      }
      let text = "";
      for (const hex of op[5]!.matchAll(/<([0-9a-f]*)>/g)) {
        for (let i = 0; i < hex[1]!.length; i += 4) {
          text += cmap.get(Number.parseInt(hex[1]!.slice(i, i + 4), 16)) ?? "\uFFFD";
        }
      }
      runs.push({ ...at, text });
    }
    return runs;
  });
}

/** The number of pages, counted as the page objects in the file. */
export function pageCount(pdf: Buffer): number {
  return pdf.toString("latin1").match(/\/Type \/Page\b/g)?.length ?? 0;
}
