import { beforeAll, expect, it } from "vitest";
import { cjkPreference, createFallbackFonts, type FallbackFonts } from "./fallback-fonts.ts";
import { woff2Ready } from "./woff2.ts";

let fallback: FallbackFonts;
beforeAll(async () => {
  await woff2Ready();
  fallback = createFallbackFonts();
});
const family = (cluster: string, prefer?: "zh" | "ja" | "ko") =>
  /^fallback:([A-Za-z]+)-Regular-/.exec(fallback.fontFor(cluster, prefer)?.key ?? "")?.[1];

it("finds the Noto font for each script DejaVu Sans lacks", () => {
  expect(family("退")).toBe("NotoSansSC");
  expect(family("の")).toBe("NotoSansSC"); // kana alone: the Chinese font has it too
  expect(family("환")).toBe("NotoSansKR");
  expect(family("क्ष")).toBe("NotoSansDevanagari"); // a conjunct cluster, whole
  expect(family("\u0915\u094D\u200D")).toBe("NotoSansDevanagari"); // with a zero-width joiner
  expect(family("নমস্কার".slice(0, 1))).toBe("NotoSansBengali");
  expect(family("க")).toBe("NotoSansTamil");
  expect(family("న")).toBe("NotoSansTelugu");
  expect(family("ค")).toBe("NotoSansThai");
  expect(family("臺")).toMatch(/^NotoSans(SC|TC)$/);
  expect(family("ગ")).toBe("NotoSansGujarati");
  expect(family("ਗ")).toBe("NotoSansGurmukhi");
  expect(family("ಕ")).toBe("NotoSansKannada");
  expect(family("മ")).toBe("NotoSansMalayalam");
  expect(family("ස")).toBe("NotoSansSinhala");
  expect(family("ស")).toBe("NotoSansKhmer");
  expect(family("ສ")).toBe("NotoSansLao");
  expect(family("မ")).toBe("NotoSansMyanmar");
  expect(family("ሰ")).toBe("NotoSansEthiopic");
  expect(family("😀")).toBe("NotoEmoji");
  expect(family("👍\u{1F3FD}")).toBe("NotoEmoji"); // with a skin-tone modifier, whole
});

it("draws Han in the font of the text's language, and finds none for scripts it does not ship", () => {
  expect(family("返", "ja")).toBe("NotoSansJP");
  expect(family("返", "ko")).toBe("NotoSansKR");
  expect(family("返", "zh")).toBe("NotoSansSC");
  expect(fallback.fontFor("ཀ")).toBeUndefined(); // Tibetan
  expect(fallback.fontFor("ꦄ")).toBeUndefined(); // Javanese
});

it("names each file's font apart (pdfkit merges fonts of one name) and loads a file once", () => {
  const a = fallback.fontFor("退")!;
  const b = fallback.fontFor("我")!;
  expect(a.key).not.toBe(b.key);
  expect(fallback.fontFor("退")).toBe(a);
});

it("guesses the CJK language from kana and Hangul", () => {
  expect(cjkPreference("返金をお願いします")).toBe("ja");
  expect(cjkPreference("환불 부탁드립니다")).toBe("ko");
  expect(cjkPreference("我想退款")).toBe("zh");
});
