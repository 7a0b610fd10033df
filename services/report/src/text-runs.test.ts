import { expect, it } from "vitest";
import { loadReportFonts } from "./fonts.ts";
import { textRuns } from "./text-runs.ts";

const fonts = await loadReportFonts();
const shape = (text: string, weight: "regular" | "bold" = "regular") =>
  textRuns(text, weight, fonts).map((r) => [r.key.replace(/^fallback:([A-Za-z]+)-.*$/, "$1"), r.text]);

it("keeps text the report's font covers in one run (Latin, Cyrillic, Greek)", () => {
  expect(shape("Refund 4471 — Возврат, επιστροφή")).toEqual([
    ["regular", "Refund 4471 — Возврат, επιστροφή"],
  ]);
  expect(shape("Agent", "bold")).toEqual([["bold", "Agent"]]);
});

it("splits mixed text into runs of the font that covers each cluster, spaces in the report's font", () => {
  const runs = shape("Order 4471: नमस्ते दुनिया, ขอบคุณ");
  expect(runs).toEqual([
    ["regular", "Order 4471: "],
    ["NotoSansDevanagari", "नमस्ते"],
    ["regular", " "],
    ["NotoSansDevanagari", "दुनिया"],
    ["regular", ", "],
    ["NotoSansThai", "ขอบคุณ"],
  ]);
});

it("keeps every character, in order, and bold text falls back to the same Noto fonts", () => {
  const text = "Call 返金をお願いします 환불 我想退款";
  const runs = textRuns(text, "bold", fonts);
  expect(runs.map((r) => r.text).join("")).toBe(text);
  expect(runs[0]).toMatchObject({ key: "bold", text: "Call " });
  // Japanese text draws its kanji in the Japanese font.
  expect(runs.find((r) => r.text.includes("返"))?.key).toMatch(/^fallback:NotoSansJP-/);
  expect(runs.find((r) => r.text.includes("환"))?.key).toMatch(/^fallback:NotoSansKR-/);
});

it("leaves what no font covers in the report's font (it shows as a box, and the report says so)", () => {
  expect(shape("ok བཀྲ་ཤིས")).toEqual([["regular", "ok བཀྲ་ཤིས"]]); // Tibetan
});
