import { describe, expect, it } from "vitest";
import { parseTemplate, renderTemplate, TemplateError, type TemplateValues } from "./template.ts";

const values: TemplateValues = {
  summary: "The caller <b>asked</b> for a refund & more {{report_url}}",
  topic: "<script>alert(1)</script>",
  sentiment: "neutral",
  conversation_id: "conv_1",
  processing_id: "proc_1",
  account_id: "acme",
  agent_id: "",
  key_points: { list: [{ lead: "[0:07]", text: 'Wants a "refund"' }] },
  action_items: { list: [] },
  warnings: { list: [{ lead: "REPORT_DISABLED:", text: "report generation is off" }] },
  report_url: "https://s3.example/r.pdf?a=1&b=2",
  report_link: { link: "https://s3.example/r.pdf?a=1&b=2" },
  report_note: "Attached.",
};

describe("renderTemplate", () => {
  it("escapes every value in HTML and writes list and link markup itself", () => {
    const html = renderTemplate(
      '<h1>{{topic}}</h1><p>{{summary}}</p>{{key_points}}{{action_items}}<a href="{{report_url}}">x</a>{{report_link}}',
      values,
      "html",
    );
    expect(html).toBe(
      "<h1>&#60;script&#62;alert(1)&#60;/script&#62;</h1>" +
        "<p>The caller &#60;b&#62;asked&#60;/b&#62; for a refund &#38; more {{report_url}}</p>" +
        "<ul>\n<li><strong>[0:07]</strong> Wants a &#34;refund&#34;</li>\n</ul>" +
        "<p>None.</p>" +
        '<a href="https://s3.example/r.pdf?a=1&#38;b=2">x</a>' +
        '<a href="https://s3.example/r.pdf?a=1&#38;b=2">https://s3.example/r.pdf?a=1&#38;b=2</a>',
    );
  });

  it("inserts values once: a placeholder inside a value is printed, not expanded", () => {
    expect(renderTemplate("{{summary}}", values, "text")).toContain("more {{report_url}}");
  });

  it("renders the text part from an HTML template: tags dropped, lists as lines, values verbatim", () => {
    const text = renderTemplate(
      "<h2>{{topic}}</h2>\n<p>Summary: {{summary}}</p>\n<h3>Key points</h3>{{key_points}}<p>a &amp; b</p>",
      values,
      "text",
    );
    expect(text).toBe(
      [
        "<script>alert(1)</script>",
        "",
        "Summary: The caller <b>asked</b> for a refund & more {{report_url}}",
        "",
        "Key points",
        "",
        '- [0:07] Wants a "refund"',
        "",
        "a & b",
      ].join("\n"),
    );
  });

  it("treats a template without tags as text: its own characters are escaped in HTML, lines kept", () => {
    expect(renderTemplate("Topic: {{topic}}\nx < y", values, "html")).toBe(
      "Topic: &#60;script&#62;alert(1)&#60;/script&#62;<br>\nx &#60; y",
    );
    expect(renderTemplate("Topic: {{ topic }}\n\n\n\nbye", values, "text")).toBe(
      "Topic: <script>alert(1)</script>\n\nbye",
    );
  });

  it("renders a header line: lists joined, nothing escaped (the caller cleans the line)", () => {
    expect(renderTemplate("{{topic}} | {{warnings}}", values, "line")).toBe(
      "<script>alert(1)</script> | REPORT_DISABLED: report generation is off",
    );
  });

  it("rejects an unknown placeholder, naming it", () => {
    expect(() => renderTemplate("Hi {{customer_name}}", values, "html")).toThrow(TemplateError);
    expect(() => parseTemplate("{{ summary }} {{constructor}}")).toThrow(
      /unknown placeholder \{\{constructor\}\}/,
    );
    expect(() => parseTemplate("{{a.b}}")).toThrow(/\{\{a\.b\}\}/);
  });

  it("leaves braces that are not placeholders alone", () => {
    expect(renderTemplate("{ {{sentiment}} } {{ and {x}", values, "text")).toBe("{ neutral } {{ and {x}");
  });
});
