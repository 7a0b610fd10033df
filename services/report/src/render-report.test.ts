import { clock } from "@postprocess/worker";
import { describe, expect, it } from "vitest";
import { sampleReport, sampleTurns } from "./fixtures.ts";
import { defaultFontPaths, loadReportFonts, parseFontFile } from "./fonts.ts";
import { missingCharacters, printable, type ReportData, renderReport } from "./render-report.ts";
import { pageCount, pdfText, pdfTextRuns } from "./testing/pdf-text.ts";

const fonts = await loadReportFonts();
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

  const scripts = {
    Chinese: "我想退款，因为我被多收了年费。",
    Japanese: "返金をお願いしたいです。年間プランの請求がありました。",
    Korean: "환불을 원합니다. 연간 요금이 청구되었습니다.",
    Hindi: "मुझे रिफंड चाहिए, क्योंकि मुझसे वार्षिक शुल्क लिया गया।",
    Tamil: "எனக்கு பணம் திரும்ப வேண்டும்",
    Thai: "ฉันต้องการขอคืนเงินค่ะ",
  };

  /**
   * One turn per line, rendered: the fonts the PDF embeds, its first page's text runs, and that page's text
   * with whitespace removed. No character may be left without a font.
   */
  async function renderLines(lines: string[], over: Partial<ReportData> = {}) {
    const turns = sampleTurns(lines.length);
    lines.forEach((line, i) => {
      turns[i]!.message = line;
    });
    const data = sampleReport(turns, over);
    expect(missingCharacters(data, fonts)).toEqual([]);
    const { pdf, pages } = await render(data);
    const raw = pdf.toString("latin1");
    const embedded = [
      ...new Set([...raw.matchAll(/\/FontName \/[A-Z]{6}\+([A-Za-z]+)/g)].map((m) => m[1])),
    ].sort();
    const runs = pdfTextRuns(pdf)[0]!;
    return { raw, pages, embedded, runs, drawn: compact(runs.map((r) => r.text).join("")) };
  }
  const compact = (s: string) => s.replace(/\s+/g, "");
  /** The letters of `line` the PDF's text lacks (marks and reordered vowel signs read back ambiguously). */
  const lettersMissing = (drawn: string, line: string) =>
    missingFrom(
      drawn,
      [...line].filter((c) => /\p{L}/u.test(c)),
    );

  it("draws Chinese, Japanese, Korean, Hindi, Tamil and Thai with embedded Noto fallbacks, as text", async () => {
    const { raw, pages, embedded, runs, drawn } = await renderLines(Object.values(scripts), {
      topic: "退款 — रिफंड",
    });
    expect(embedded).toEqual([
      "DejaVuSans",
      "NotoSansDevanagari",
      "NotoSansJP",
      "NotoSansKR",
      "NotoSansSC",
      "NotoSansTamil",
      "NotoSansThai",
    ]);
    // Each fallback is a subset: font files only for what is drawn, no more than a few KB each.
    for (const m of raw.matchAll(/\/FontFile2 (\d+) 0 R/g)) {
      const length = Number(new RegExp(`\\n${m[1]} 0 obj\\n<<[^]*?/Length (\\d+)`).exec(raw)?.[1]);
      expect(length).toBeLessThan(60_000);
    }
    expect(pages[0]).not.toContain("empty boxes");
    // CJK reads back as written.
    for (const line of [scripts.Chinese, scripts.Japanese, scripts.Korean])
      expect(drawn).toContain(compact(line));
    // Indic and Thai glyphs are stored in visual order (a vowel sign before its consonant), and a vowel sign
    // the shaper splits or merges maps back ambiguously (one character per glyph, PDF's ToUnicode): every
    // letter must read back; marks are not counted.
    for (const script of ["Hindi", "Tamil", "Thai"] as const)
      expect(lettersMissing(drawn, scripts[script]), script).toEqual([]);
    // Han in a Japanese line is drawn with the Japanese font; in a Chinese line with the Chinese one.
    const fontOf = (ch: string) => runs.find((r) => r.text.includes(ch))?.font;
    expect(fontOf("返")).toMatch(/\+NotoSansJP-Regular-/);
    expect(fontOf("退")).toMatch(/\+NotoSansSC-Regular-/);
    expect(fontOf("환")).toMatch(/\+NotoSansKR-Regular-/);
    expect(fontOf("ค")).toMatch(/\+NotoSansThai-Regular-thai$/);
  });

  const moreScripts = {
    Gujarati: "મને રિફંડ જોઈએ છે",
    Gurmukhi: "ਮੈਨੂੰ ਰਿਫੰਡ ਚਾਹੀਦਾ ਹੈ",
    Kannada: "ನನಗೆ ಹಣ ಹಿಂತಿರುಗಿಸಬೇಕು",
    Malayalam: "എനിക്ക് പണം തിരികെ വേണം",
    Sinhala: "මට මුදල් ආපසු ඕනේ",
    Khmer: "ខ្ញុំចង់បានប្រាក់វិញ",
    Lao: "ຂ້ອຍຕ້ອງການເງິນຄືນ",
    Myanmar: "ကျွန်တော် ငွေပြန်လိုချင်ပါတယ်",
    Ethiopic: "ገንዘቤን መመለስ እፈልጋለሁ",
    Emoji: "Thanks 👍🏽 🙂",
  };

  it("draws Gujarati, Gurmukhi, Kannada, Malayalam, Sinhala, Khmer, Lao, Myanmar, Ethiopic and emoji too", async () => {
    const { pages, embedded, drawn } = await renderLines(Object.values(moreScripts));
    expect(embedded).toEqual([
      "DejaVuSans",
      "NotoEmoji",
      "NotoSansEthiopic",
      "NotoSansGujarati",
      "NotoSansGurmukhi",
      "NotoSansKannada",
      "NotoSansKhmer",
      "NotoSansMalayalam",
      "NotoSansMyanmar",
      "NotoSansSinhala",
    ]);
    // (Lao is DejaVu Sans's own: no fallback needed.)
    expect(pages[0]).not.toContain("empty boxes");
    // Every letter reads back (marks and reordered vowel signs are not counted, as above).
    for (const [script, line] of Object.entries(moreScripts))
      expect(lettersMissing(drawn, line), script).toEqual([]);
  });

  /** A word's width in the report's regular font, in points at `size`. */
  const advance = (word: string, size: number) => {
    const font = fonts.regular as unknown as {
      layout(s: string): { advanceWidth: number };
      unitsPerEm: number;
    };
    return (font.layout(word).advanceWidth * size) / font.unitsPerEm;
  };

  it("lays right-to-left text out right to left: word order, right alignment, left-to-right runs kept", async () => {
    const turns = sampleTurns(3);
    turns[0]!.message = "אני רוצה החזר כספי בבקשה order 4471 תודה";
    turns[1]!.message = "Customer said שלום עולם today";
    // Long enough to wrap: the words continue on the next line, again from the right.
    turns[2]!.message = "אני רוצה החזר כספי ".repeat(8).trim();
    const { pdf } = await render(
      sampleReport(turns, {
        topic: "בקשת זיכוי ".repeat(6).trim(),
        keyPoints: [{ text: "ביטול מנוי", turns: [0], at_secs: 12 }],
      }),
    );
    const runs = pdfTextRuns(pdf)[0]!;
    // A right-to-left word's glyphs are stored in visual order, so it reads back reversed.
    const seen = (word: string) => [...word].reverse().join("");
    const at = (text: string, nth = 0) => runs.filter((r) => r.text === text)[nth]!;
    const x = (text: string) => at(text).x;

    const hebrew = ["אני", "רוצה", "החזר", "כספי", "בבקשה"].map((w) => x(seen(w)));
    for (let i = 1; i < hebrew.length; i++) expect(hebrew[i - 1]!).toBeGreaterThan(hebrew[i]!);
    expect(x("order")).toBeLessThan(x("4471"));
    expect(x("4471")).toBeLessThan(hebrew.at(-1)!);
    expect(x(seen("תודה"))).toBeLessThan(x("order"));
    // Right-aligned: the paragraph's first word ends at the right margin.
    const first = at(seen("אני"));
    expect(first.x + advance("אני", first.size)).toBeCloseTo(595.28 - 50, 0);

    // In a left-to-right line only the right-to-left words swap.
    const ltr = ["Customer", "said", seen("עולם"), seen("שלום"), "today"].map(x);
    expect([...ltr].sort((a, b) => a - b)).toEqual(ltr);

    // After a label or a time drawn before it, right-to-left text starts on the next line: a right-aligned
    // line would otherwise run into the label.
    const label = runs.find((r) => r.text.startsWith("Topic"))!;
    const topicLines = runs.filter((r) => r.text === seen("בקשת") && r.y <= label.y && r.y > label.y - 40);
    expect(topicLines.length).toBeGreaterThan(0);
    for (const r of topicLines) expect(r.y).toBeLessThan(label.y);
    const time = runs.find((r) => r.text.startsWith("[0:12]"))!;
    expect(at(seen("ביטול")).y).toBeLessThan(time.y);

    // The long turn wraps, and each of its lines ends at the right margin, where it starts reading.
    const words = new Map(["אני", "רוצה", "החזר", "כספי"].map((w) => [seen(w), w]));
    const longTurn = runs.filter((r) => words.has(r.text) && r.y < at("today").y);
    const lines = new Map<number, number>();
    for (const r of longTurn) {
      const end = r.x + advance(words.get(r.text)!, r.size);
      lines.set(r.y, Math.max(lines.get(r.y) ?? 0, end));
    }
    expect(lines.size).toBeGreaterThan(1);
    for (const end of lines.values()) expect(end).toBeCloseTo(595.28 - 50, 0);
  });

  it("wraps a long paragraph that switches fonts inside the content width", async () => {
    const summary = "Order 4471: 客户要求退款，因为年费被重复收取。".repeat(12);
    const { pdf, text } = await render(sampleReport(sampleTurns(2), { summary }));
    const cjk = pdfTextRuns(pdf)[0]!.filter((r) => r.font.includes("NotoSansSC"));
    // Full-width characters advance 1 em: a run ends at x + size × characters.
    for (const r of cjk) expect(r.x + r.size * [...r.text].length).toBeLessThanOrEqual(595.28 - 50 + 0.01);
    expect(new Set(cjk.map((r) => r.y)).size).toBeGreaterThanOrEqual(5);
    expect(text.replace(/\s+/g, "")).toContain(summary.replace(/\s+/g, ""));
  });

  it("still says so for scripts no font covers (Tibetan, Javanese)", async () => {
    const turns = sampleTurns(2);
    turns[1]!.message = "བཀྲ་ཤིས — ꦲꦤꦕꦫꦏ — 我想退款";
    const data = sampleReport(turns);
    const missing = missingCharacters(data, fonts);
    expect(missing).toEqual(expect.arrayContaining(["བ", "ꦲ"]));
    expect(missing).not.toContain("退");
    const { text } = await render(data);
    expect(text).toMatch(
      /\d+ distinct character\(s\) of this call \(e\.g\. U\+0F56, .*\) are in scripts none of the report's fonts cover and show as empty boxes/,
    );
  });

  it("keeps a letter readable after a report embedded it as part of another (Greek Ο is built on O)", async () => {
    // Fresh fonts: the glyph must not have been laid out before the Greek report.
    const fresh = {
      regular: parseFontFile(defaultFontPaths.regular),
      bold: parseFontFile(defaultFontPaths.bold),
      fallback: fonts.fallback,
    };
    const greek = sampleTurns(1);
    greek[0]!.message = "Ο πελάτης ζητά επιστροφή.";
    await renderReport(sampleReport(greek), fresh);
    const pdf = await renderReport(
      sampleReport(sampleTurns(1), { summary: "Order 4471 is refunded." }),
      fresh,
      {
        compress: false,
      },
    );
    expect(pdfText(pdf)[0]!.replace(/\s+/g, " ")).toContain("Order 4471 is refunded.");
  });

  it("draws transcript text literally: markup and PDF syntax are text, controls are dropped", async () => {
    const turns = sampleTurns(2);
    turns[1]!.message = "<b>hi</b> ) Tj /Type /Page \u202Eevil\u0007 {{summary}}";
    const { pdf, text } = await render(sampleReport(turns));
    expect(pageCount(pdf)).toBe(1);
    expect(text).toContain("0:07 User <b>hi</b> ) Tj /Type /Page evil {{summary}}");
  });

  it("renders the same bytes for the same data (a retried step rewrites an identical object)", async () => {
    const turns = sampleTurns(30);
    turns[5]!.message = "我想退款 — मुझे रिफंड चाहिए — 환불";
    const data = sampleReport(turns);
    const [a, b] = [await renderReport(data, fonts), await renderReport(data, fonts)];
    expect(a.equals(b)).toBe(true);
  });
});

describe("printable", () => {
  it("normalises line ends and tabs, removes control and bidi-override characters", () => {
    expect(printable("a\r\nb\rc\td\u0000e\u202Ef\u2066g\u009Fh")).toBe("a\nb\nc    defgh");
  });
});

/** The characters of `wanted` (a multiset) that `text` does not hold as many times. */
function missingFrom(text: string, wanted: string[]): string[] {
  const have = new Map<string, number>();
  for (const ch of text) have.set(ch, (have.get(ch) ?? 0) + 1);
  return wanted.filter((ch) => {
    const n = have.get(ch) ?? 0;
    have.set(ch, n - 1);
    return n <= 0;
  });
}
