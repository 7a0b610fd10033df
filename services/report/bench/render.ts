/**
 * Render benchmark (a script, not a test): a ~3-page report rendered 200 times after a warm-up, and, as a
 * same-run baseline for the machine's speed, an empty one-page pdfkit document. Target: p95 < 50 ms warm.
 *
 *   node services/report/bench/render.ts [iterations]
 */
import PDFDocument from "pdfkit";
import { sampleReport, sampleTurns } from "../src/fixtures.ts";
import { loadReportFonts } from "../src/fonts.ts";
import { renderReport } from "../src/render-report.ts";
import { pageCount } from "../src/testing/pdf-text.ts";

const iterations = Number(process.argv[2] ?? 200);
const warmup = 30;

async function measure(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

function stats(times: number[]): string {
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return `p50 ${at(0.5).toFixed(1)} ms  p95 ${at(0.95).toFixed(1)} ms  max ${times.at(-1)!.toFixed(1)} ms`;
}

function emptyDocument(): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ size: "A4" });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.end();
  });
}

const loadStart = performance.now();
const fonts = loadReportFonts();
const loadMs = performance.now() - loadStart;
const data = sampleReport(sampleTurns(70));
const sample = await renderReport(data, fonts);

const report = await measure(() => renderReport(data, fonts));
const empty = await measure(emptyDocument);
const p95 = report[Math.floor(0.95 * report.length)]!;

console.log(`fonts parsed once in ${loadMs.toFixed(0)} ms (DejaVu Sans + Bold)`);
console.log(
  `report: ${data.turns.length} turns, ${pageCount(sample)} pages, ${sample.length} bytes; ${iterations} renders after ${warmup} warm-up`,
);
console.log(`  report          ${stats(report)}`);
console.log(`  empty pdfkit    ${stats(empty)}   (same-run baseline)`);
console.log(`target p95 < 50 ms: ${p95 < 50 ? "met" : "NOT met"} (${p95.toFixed(1)} ms)`);
