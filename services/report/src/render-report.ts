import { clock, type Transcript } from "@postprocess/worker";
import PDFDocument from "pdfkit";
import { drawText } from "./draw-text.ts";
import { type ReportFonts, uncoveredCharacters } from "./fonts.ts";

/** A key point or action item with the transcript turns (and the time) it rests on. */
export interface ReportItem {
  text: string;
  turns: number[];
  at_secs?: number | null;
}

/** Everything a report shows; the renderer reads nothing else (no clock, no I/O). */
export interface ReportData {
  accountId: string;
  conversationId: string;
  processingId: string;
  agentId: string | null;
  /** ISO-8601 start of the call, when the platform knows it. */
  startedAt: string | null;
  durationSecs: number | null;
  summary: string;
  topic: string;
  sentiment: string;
  keyPoints: ReportItem[];
  actionItems: ReportItem[];
  warnings: { code: string; message: string }[];
  turns: Transcript["turns"];
  /** Stamped as the PDF's creation date: the same data renders the same bytes (a retry rewrites nothing). */
  generatedAt: Date;
}

export interface RenderOptions {
  /** Deflate the content streams (default). Tests turn it off to read the text back. */
  compress?: boolean;
}

const margin = { top: 50, bottom: 60, left: 50, right: 50 };
const color = { text: "#1a1a1a", muted: "#6b6b6b", accent: "#1f4e79", rule: "#c8c8c8" };
const size = { title: 20, subtitle: 12, heading: 13, body: 10, label: 8, small: 8 };

/**
 * Renders the call report a customer would forward: facts, summary, grounded key points and action items
 * with their times in the call, warnings, and the full transcript; "Page n of m" on every page. Every
 * string from the transcript or the summary is drawn as text (never parsed as markup); control characters
 * are dropped so they cannot show as boxes or move the text.
 */
export function renderReport(
  data: ReportData,
  fonts: ReportFonts,
  opts: RenderOptions = {},
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margins: margin,
    bufferPages: true,
    compress: opts.compress ?? true,
    info: {
      Title: printable(`Call report ${data.conversationId}`),
      Author: "Postprocess",
      CreationDate: data.generatedAt,
    },
  });
  const done = collect(doc);
  // pdfkit takes a parsed fontkit font as a source at run time; its types only list files and buffers.
  doc.registerFont("regular", fonts.regular as unknown as Buffer);
  doc.registerFont("bold", fonts.bold as unknown as Buffer);

  header(doc, data, fonts);
  const missing = missingCharacters(data, fonts);
  if (missing.length) {
    doc
      .font("regular", size.small)
      .fillColor(color.muted)
      .text(
        `${missing.length} distinct character(s) of this call (e.g. ${missing.slice(0, 4).map(codePoint).join(", ")}) are in ` +
          "scripts none of the report's fonts cover and show as empty boxes; the stored transcript keeps " +
          "the exact text.",
        margin.left,
        doc.y,
        { width: contentWidth(doc) },
      );
  }
  section(doc, "Summary");
  paragraph(doc, fonts, data.summary);
  doc.moveDown(0.4);
  labelled(doc, fonts, [
    ["Topic", data.topic],
    ["Sentiment", data.sentiment],
  ]);
  section(doc, "Key points");
  items(doc, fonts, data.keyPoints);
  section(doc, "Action items");
  items(doc, fonts, data.actionItems);
  if (data.warnings.length) {
    section(doc, "Warnings");
    for (const w of data.warnings) bullet(doc, fonts, `${w.code}: `, w.message, color.text);
  }
  section(doc, `Transcript (${data.turns.length} turn${data.turns.length === 1 ? "" : "s"})`);
  transcript(doc, fonts, data.turns);
  footers(doc, data.conversationId);
  doc.end();
  return done;
}

/** Characters of the report's text that none of its fonts can draw (see `uncoveredCharacters`). */
export function missingCharacters(data: ReportData, fonts: ReportFonts): string[] {
  const texts = [
    data.accountId,
    data.conversationId,
    data.agentId ?? "",
    data.summary,
    data.topic,
    data.sentiment,
    ...data.keyPoints.map((i) => i.text),
    ...data.actionItems.map((i) => i.text),
    ...data.warnings.map((w) => w.message),
    ...data.turns.map((t) => `${t.tool_name ?? ""} ${t.message}`),
  ];
  return uncoveredCharacters(fonts, texts.map(printable));
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
}

const contentWidth = (doc: PDFKit.PDFDocument) => doc.page.width - margin.left - margin.right;
const bottomY = (doc: PDFKit.PDFDocument) => doc.page.height - margin.bottom;

/** Starts a new page when less than `needed` points are left on this one. */
function keep(doc: PDFKit.PDFDocument, needed: number): void {
  if (doc.y + needed > bottomY(doc)) doc.addPage();
}

function header(doc: PDFKit.PDFDocument, d: ReportData, fonts: ReportFonts): void {
  doc.font("bold", size.title).fillColor(color.text).text("Call report", margin.left, margin.top);
  doc.font("regular", size.subtitle).fillColor(color.accent);
  drawText(doc, fonts, "regular", printable(d.topic), {});
  doc.moveDown(0.6);
  const facts: [string, string][] = [
    ["Account", d.accountId],
    ["Conversation", d.conversationId],
    ["Agent", d.agentId ?? "unknown"],
    ["Call started", d.startedAt ? when(d.startedAt) : "unknown"],
    ["Duration", d.durationSecs === null ? "unknown" : clock(d.durationSecs)],
    ["Processing id", d.processingId],
  ];
  const half = (contentWidth(doc) - 20) / 2;
  for (let i = 0; i < facts.length; i += 2) {
    const top = doc.y;
    let bottom = top;
    for (const [j, fact] of facts.slice(i, i + 2).entries()) {
      const x = margin.left + j * (half + 20);
      doc
        .font("bold", size.label)
        .fillColor(color.muted)
        .text(fact[0].toUpperCase(), x, top, { width: half });
      doc.font("regular", size.body).fillColor(color.text);
      drawText(doc, fonts, "regular", printable(fact[1]), { x, y: doc.y }, { width: half });
      bottom = Math.max(bottom, doc.y);
    }
    doc.x = margin.left;
    doc.y = bottom + 6;
  }
  rule(doc);
}

function rule(doc: PDFKit.PDFDocument): void {
  const y = doc.y + 2;
  doc
    .moveTo(margin.left, y)
    .lineTo(margin.left + contentWidth(doc), y)
    .lineWidth(0.5)
    .strokeColor(color.rule)
    .stroke();
  doc.y = y + 8;
}

function section(doc: PDFKit.PDFDocument, title: string): void {
  doc.moveDown(0.6);
  // A heading never sits alone at the bottom of a page.
  keep(doc, 60);
  doc
    .font("bold", size.heading)
    .fillColor(color.accent)
    .text(title, margin.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
}

function paragraph(doc: PDFKit.PDFDocument, fonts: ReportFonts, text: string): void {
  doc.font("regular", size.body).fillColor(color.text);
  const opts = { width: contentWidth(doc), lineGap: 2 };
  drawText(doc, fonts, "regular", printable(text), { x: margin.left, y: doc.y }, opts);
}

function labelled(doc: PDFKit.PDFDocument, fonts: ReportFonts, pairs: [string, string][]): void {
  for (const [label, value] of pairs) {
    doc
      .font("bold", size.body)
      .fillColor(color.muted)
      .text(`${label}: `, margin.left, doc.y, { continued: true, width: contentWidth(doc) })
      .fillColor(color.text);
    drawText(doc, fonts, "regular", printable(value), {});
  }
}

function items(doc: PDFKit.PDFDocument, fonts: ReportFonts, list: ReportItem[]): void {
  if (!list.length) {
    doc.font("regular", size.body).fillColor(color.muted).text("None.", margin.left, doc.y);
    return;
  }
  for (const item of list) {
    const at = typeof item.at_secs === "number" ? `[${clock(item.at_secs)}] ` : "";
    bullet(doc, fonts, at, item.text, color.accent);
  }
}

/** A bulleted line: an emphasised lead (a time, a code) then the text, wrapped under itself. */
function bullet(
  doc: PDFKit.PDFDocument,
  fonts: ReportFonts,
  lead: string,
  text: string,
  leadColor: string,
): void {
  keep(doc, 14);
  const y = doc.y;
  doc
    .font("regular", size.body)
    .fillColor(color.muted)
    .text("•", margin.left + 2, y);
  const opts = { width: contentWidth(doc) - 14, lineGap: 1.5 };
  if (lead) {
    doc
      .font("bold", size.body)
      .fillColor(leadColor)
      .text(lead, margin.left + 14, y, { ...opts, continued: true })
      .fillColor(color.text);
    drawText(doc, fonts, "regular", printable(text), {});
  } else {
    doc.font("regular", size.body).fillColor(color.text);
    drawText(doc, fonts, "regular", printable(text), { x: margin.left + 14, y }, opts);
  }
  doc.moveDown(0.25);
}

const speaker = { agent: "Agent", user: "User", tool: "Tool" } as const;
/** Up to this height (points, ~6 lines) a turn is moved whole to the next page rather than split. */
const keepTurn = 80;

/** One row per turn: time, speaker, message (a long message flows onto the next page by itself). */
function transcript(doc: PDFKit.PDFDocument, fonts: ReportFonts, turns: Transcript["turns"]): void {
  const timeX = margin.left;
  const whoX = margin.left + 42;
  const textX = margin.left + 92;
  const textWidth = contentWidth(doc) - 92;
  if (!turns.length) {
    doc.font("regular", size.body).fillColor(color.muted).text("No turns.", margin.left, doc.y);
    return;
  }
  const opts = { width: textWidth, lineGap: 1.5 };
  for (const turn of turns) {
    const raw = turn.role === "tool" && turn.tool_name ? `${turn.tool_name}: ${turn.message}` : turn.message;
    const message = printable(raw) || " ";
    doc.font("regular", size.body);
    // A turn stays on one page unless it is longer than a few lines (then it flows on by itself). Only
    // near the bottom can that matter, so only there is the message measured (a second line-wrap pass).
    if (doc.y + keepTurn > bottomY(doc)) keep(doc, Math.min(doc.heightOfString(message, opts), keepTurn));
    const y = doc.y;
    doc.fillColor(color.muted).text(clock(turn.time_in_call_secs), timeX, y);
    doc.font("bold", size.body).fillColor(color.text).text(speaker[turn.role], whoX, y);
    doc.font("regular", size.body).fillColor(turn.role === "tool" ? color.muted : color.text);
    drawText(doc, fonts, "regular", message, { x: textX, y }, opts);
    doc.y += 3;
  }
}

function footers(doc: PDFKit.PDFDocument, conversationId: string): void {
  const { start, count } = doc.bufferedPageRange();
  const label = printable(`Postprocess call report · ${conversationId}`);
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin would otherwise make pdfkit start a new page.
    doc.page.margins.bottom = 0;
    const y = doc.page.height - margin.bottom + 24;
    const width = contentWidth(doc);
    doc.font("regular", size.small).fillColor(color.muted);
    doc.text(label.length > 90 ? `${label.slice(0, 89)}…` : label, margin.left, y, {
      width: width - 90,
      lineBreak: false,
    });
    doc.text(`Page ${i - start + 1} of ${count}`, margin.left + width - 90, y, {
      width: 90,
      align: "right",
      lineBreak: false,
    });
    doc.page.margins.bottom = margin.bottom;
  }
}

/** `U+6211`: how to name a character the font cannot draw. */
function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** `2026-11-26 12:00 UTC` from an ISO instant; the input itself when it does not parse. */
function when(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${t.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Text as drawn: CR/LF normalised, tabs as spaces, and C0/C1 controls and bidirectional overrides removed
 * (the font has no glyph for them, and an override could visually reorder what a customer reads).
 */
export function printable(s: string): string {
  return (
    s
      .replace(/\r\n?/g, "\n")
      .replace(/\t/g, "    ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, "")
  );
}
