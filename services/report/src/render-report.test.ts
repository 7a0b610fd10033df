import { clock } from "@postprocess/worker";
import { describe, expect, it } from "vitest";
import { sampleReport, sampleTurns } from "./fixtures.ts";
import { loadReportFonts } from "./fonts.ts";
import { missingCharacters, printable, renderReport } from "./render-report.ts";
import { pageCount, pdfText } from "./testing/pdf-text.ts";

const fonts = loadReportFonts();
/** Renders uncompressed and reads the text back, whitespace collapsed per page. */
async function render(data = sampleReport(sampleTurns(6))) {
  const pdf = await renderReport(data, fonts, { compress: false });
  const pages = pdfText(pdf).map((p) => p.replace(/\s+/g, " "));
  return { pdf, pages, text: pages.join(" ") };
}

describe("renderReport", () => {
  it("renders a one-page report with the facts, the grounded summary and the transcript", async () => {
    const data = sampleReport(sampleTurns(6), {
      warnings: [{ code: "NO_AUDIO", message: "the conversation has no recording" }],
    });
    const { pdf, pages, text } = await render(data);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pageCount(pdf)).toBe(1);
    for (const fact of [
      "ACCOUNT acme",
      "CONVERSATION conv_01jwzz3ygceg7v0te0rewn2nzj",
      "AGENT agent_42",
      "CALL STARTED 2026-11-26 12:00 UTC",
      `DURATION ${clock(data.durationSecs!)}`,
      "PROCESSING ID proc_01JDZ7Q6V5K3Q9N2A1B4C5D6E7",
    ]) {
      expect(text).toContain(fact);
    }
    expect(text).toContain(data.summary);
    expect(text).toContain("Topic: Refund of an annual renewal");
    expect(text).toContain("Sentiment: positive");
    expect(text).toContain("[0:07] Customer was charged for an unwanted annual renewal");
    expect(text).toContain("[0:37] Renewal is within the 30-day refund window");
    expect(text).toContain("Action items • [0:37] Email the refund form to the customer");
    expect(text).toContain("Warnings • NO_AUDIO: the conversation has no recording");
    expect(text).toContain("Transcript (6 turns)");
    expect(text).toContain("0:07 User Sure, it is jordan.lee@example.com.");
    expect(text).toContain("0:37 User Hi, I was charged for the annual plan");
    expect(pages[0]).toContain("Page 1 of 1");
    expect(text).not.toContain("\uFFFD");
  });

  it("flows a 400-turn transcript over many pages, numbering each 'Page n of m'", async () => {
    const turns = sampleTurns(400);
    const { pdf, pages, text } = await render(sampleReport(turns));
    const n = pageCount(pdf);
    expect(n).toBeGreaterThanOrEqual(10);
    expect(pages).toHaveLength(n);
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${n}`);
    });
    // Every turn is there, in order, with its time.
    let from = 0;
    for (const turn of turns) {
      const at = text.indexOf(`${clock(turn.time_in_call_secs)} `, from);
      expect(at, `turn ${turn.index}`).toBeGreaterThanOrEqual(from);
      from = at;
    }
    // A tool turn shows the tool's name before its output.
    expect(pages.at(-1)).toContain(
      `${clock(turns.at(-1)!.time_in_call_secs)} Tool lookup_subscription: {"order_status"`,
    );
  });

  it("embeds DejaVu Sans and draws Cyrillic and Greek text as text", async () => {
    const turns = sampleTurns(2);
    turns[0]!.message = "Здравствуйте! Чем я могу помочь?";
    turns[1]!.message = "Καλημέρα, θα ήθελα επιστροφή χρημάτων.";
    const data = sampleReport(turns, { summary: "Клиент просит возврат — Ο πελάτης ζητά επιστροφή." });
    const { pdf, text } = await render(data);
    expect(pdf.toString("latin1")).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\n/);
    expect(text).toContain("0:00 Agent Здравствуйте! Чем я могу помочь?");
    expect(text).toContain("0:07 User Καλημέρα, θα ήθελα επιστροφή χρημάτων.");
    expect(text).toContain("Клиент просит возврат — Ο πελάτης ζητά επιστροφή.");
    expect(missingCharacters(data, fonts)).toEqual([]);
    expect(text).not.toContain("empty boxes");
  });

  it("says so when the call uses a script the font lacks (CJK, Tamil)", async () => {
    const turns = sampleTurns(2);
    turns[1]!.message = "我想退款 — எனக்கு பணம் திரும்ப வேண்டும்";
    const data = sampleReport(turns);
    expect(missingCharacters(data, fonts)).toContain("退");
    const { text } = await render(data);
    expect(text).toMatch(
      /\d+ distinct character\(s\) of this call \(e\.g\. U\+6211, U\+60F3, .*\) are in .* show as empty boxes/,
    );
  });

  it("draws transcript text literally: markup and PDF syntax are text, controls are dropped", async () => {
    const turns = sampleTurns(2);
    turns[1]!.message = "<b>hi</b> ) Tj /Type /Page \u202Eevil\u0007 {{summary}}";
    const { pdf, text } = await render(sampleReport(turns));
    expect(pageCount(pdf)).toBe(1);
    expect(text).toContain("0:07 User <b>hi</b> ) Tj /Type /Page evil {{summary}}");
  });

  it("renders the same bytes for the same data (a retried step rewrites an identical object)", async () => {
    const data = sampleReport(sampleTurns(30));
    const [a, b] = [await renderReport(data, fonts), await renderReport(data, fonts)];
    expect(a.equals(b)).toBe(true);
  });
});

describe("printable", () => {
  it("normalises line ends and tabs, removes control and bidi-override characters", () => {
    expect(printable("a\r\nb\rc\td\u0000e\u202Ef\u2066g\u009Fh")).toBe("a\nb\nc    defgh");
  });
});
