/**
 * Render benchmark (a script, not a test): a ~3-page report rendered 200 times after a warm-up, and, as a
 * same-run baseline for the machine's speed, an empty one-page pdfkit document. Target: p95 < 50 ms warm.
 * Then the same report with every third turn in Chinese, Japanese, Korean, Hindi, Tamil or Thai (drawn with
 * the Noto fallbacks): its first render, which decodes the fallback fonts it needs, and warm figures.
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
const fonts = await loadReportFonts();
const loadMs = performance.now() - loadStart;
const data = sampleReport(sampleTurns(70));
const sample = await renderReport(data, fonts);

const report = await measure(() => renderReport(data, fonts));
const empty = await measure(emptyDocument);
const p95 = report[Math.floor(0.95 * report.length)]!;

const scripts = [
  "我想退款，因为我被多收了年费，请帮我处理一下。",
  "返金をお願いしたいです。年間プランの請求がありました。",
  "환불을 원합니다. 연간 요금이 청구되었습니다.",
  "मुझे रिफंड चाहिए, क्योंकि मुझसे वार्षिक शुल्क लिया गया।",
  "எனக்கு பணம் திரும்ப வேண்டும், தயவுசெய்து உதவுங்கள்.",
  "ฉันต้องการขอคืนเงินค่ะ เพราะถูกเรียกเก็บเงินรายปี",
];
const mixedTurns = sampleTurns(70).map((t, i) =>
  i % 3 === 0 ? { ...t, message: scripts[(i / 3) % scripts.length]! } : t,
);
const mixedData = sampleReport(mixedTurns);
const coldStart = performance.now();
const mixedSample = await renderReport(mixedData, fonts);
const coldMs = performance.now() - coldStart;
const mixed = await measure(() => renderReport(mixedData, fonts));

console.log(`fonts parsed once in ${loadMs.toFixed(0)} ms (DejaVu Sans + Bold)`);
console.log(
  `report: ${data.turns.length} turns, ${pageCount(sample)} pages, ${sample.length} bytes; ${iterations} renders after ${warmup} warm-up`,
);
console.log(`  report          ${stats(report)}`);
console.log(`  empty pdfkit    ${stats(empty)}   (same-run baseline)`);
console.log(`target p95 < 50 ms: ${p95 < 50 ? "met" : "NOT met"} (${p95.toFixed(1)} ms)`);
console.log(
  `mixed scripts: ${mixedTurns.length} turns (every third in CJK/Indic/Thai), ${pageCount(mixedSample)} pages, ${mixedSample.length} bytes`,
);
console.log(
  `  first render    ${coldMs.toFixed(0)} ms (decodes the fallback fonts it needs, once per process)`,
);
console.log(`  mixed           ${stats(mixed)}`);
