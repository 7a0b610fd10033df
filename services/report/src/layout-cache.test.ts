import { expect, it } from "vitest";
import { sampleReport, sampleTurns } from "./fixtures.ts";
import { defaultFontPaths, loadReportFonts, parseFontFile } from "./fonts.ts";
import { renderReport } from "./render-report.ts";

it("a shared layout cache changes nothing in the output, also on a second document", async () => {
  const cached = await loadReportFonts();
  const plain = {
    regular: parseFontFile(defaultFontPaths.regular),
    bold: parseFontFile(defaultFontPaths.bold),
    fallback: cached.fallback,
  };
  const turns = sampleTurns(40);
  turns[3]!.message = "Здравствуйте — Καλημέρα — naïve café";
  for (const data of [sampleReport(turns), sampleReport(sampleTurns(12), { topic: "Second document" })]) {
    const expected = await renderReport(data, plain);
    expect((await renderReport(data, cached)).equals(expected)).toBe(true);
    // Again, now answered from the cache.
    expect((await renderReport(data, cached)).equals(expected)).toBe(true);
  }
});
