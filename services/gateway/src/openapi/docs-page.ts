import { createHash } from "node:crypto";
import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiParameter } from "./document.ts";

// The page's only style. The CSP allows exactly this text (by hash): no other style, no script at all.
const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;color:#1a1a1a;max-width:1000px;margin:2rem auto;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd}
section.op{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#0b6e4f}.post{color:#1f5fbf}.patch{color:#a35c00}.put{color:#a35c00}.delete{color:#b3261e}
code,.path{font-family:ui-monospace,monospace}.path{font-weight:600}
table{border-collapse:collapse;width:100%;margin:.3rem 0}td,th{border:1px solid #e3e3e3;padding:.25rem .5rem;
text-align:left;vertical-align:top;font-size:14px}th{background:#f6f6f6}.req{color:#b3261e}
.muted{color:#666}`;

/** The Content-Security-Policy of the docs page: nothing may load or run but its own inline style. */
export const docsCsp = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The OpenAPI document as one self-contained HTML page: every operation with its parameters, request
 * body, responses and error codes, rendered on the server (no script, no CDN). Every text from the
 * document is escaped.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const sections = doc.tags.map(({ name }) => {
    const mine = ops.filter((o) => o.op.tags.includes(name));
    return `<h2>${esc(name)}</h2>\n${mine.map((o) => operationHtml(o.method, o.path, o.op)).join("\n")}`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(doc.info.title)}</title><style>${STYLE}</style></head><body>
<h1>${esc(doc.info.title)} <span class="muted">${esc(doc.info.version)}</span></h1>
<p>${esc(doc.info.description)}</p>
<p>Server: <code>${esc(doc.servers[0]?.url ?? "")}</code> · Authentication: <code>Authorization: Bearer pp_live_…</code>
· Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI ${esc(doc.openapi)})</p>
<h2>Errors</h2><p>Every error answers with this body; <code>code</code> is one of a closed set.</p>
${schemaHtml(doc.components.schemas.Error ?? {})}
${sections.join("\n")}
</body></html>`;
}

function operationHtml(method: string, path: string, op: OpenApiOperation): string {
  const params = op.parameters?.length ? parametersHtml(op.parameters) : "";
  const body = op.requestBody
    ? `<h4>Request body${op.requestBody.required ? "" : " (optional)"}</h4>${schemaHtml(
        op.requestBody.content["application/json"].schema,
      )}`
    : "";
  const responses = Object.entries(op.responses)
    .map(([status, r]) => {
      const schema = r.content?.["application/json"].schema;
      // An error response's description is `CODE: meaning; …`: the codes are set as code.
      const shown = r["x-error-codes"]
        ? `<p>${r["x-error-codes"].reduce((h, c) => h.replace(`${c}:`, `<code>${c}</code>:`), esc(r.description))}</p>`
        : `<p>${esc(r.description)}</p>${schema ? schemaHtml(schema) : ""}`;
      return `<tr><td><strong>${esc(status)}</strong></td><td>${shown}</td></tr>`;
    })
    .join("");
  return `<section class="op" id="${esc(op.operationId)}">
<p><span class="m ${esc(method)}">${esc(method)}</span> <span class="path">${esc(path)}</span>
${securityNote(op)}</p>
<p><strong>${esc(op.summary)}</strong></p>${op.description ? `<p>${esc(op.description)}</p>` : ""}
${params}${body}<h4>Responses</h4><table><tr><th>Status</th><th>Meaning</th></tr>${responses}</table></section>`;
}

/** Operations not called with an API key say so next to their path. */
function securityNote(op: OpenApiOperation): string {
  if (op.security?.length === 0) return '<span class="muted">(no API key)</span>';
  if (op.security?.some((s) => "adminKey" in s)) return '<span class="muted">(admin key)</span>';
  return "";
}

function parametersHtml(params: OpenApiParameter[]): string {
  const rows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ""}</td>` +
        `<td>${esc(p.in)}</td><td>${esc(typeOf(p.schema))}</td><td>${esc(
          [p.description, ...constraintsOf(p.schema)].filter(Boolean).join(" · "),
        )}</td></tr>`,
    )
    .join("");
  return `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Notes</th></tr>${rows}</table>`;
}

/** A schema as a table of its properties, nested objects (and arrays of objects) as nested tables. */
function schemaHtml(schema: JsonSchema, depth = 0): string {
  const object = objectOf(schema);
  if (!object || depth > 6) return `<p><code>${esc(typeOf(schema))}</code></p>`;
  const required = new Set((object.required as string[] | undefined) ?? []);
  const rows = Object.entries((object.properties as Record<string, JsonSchema> | undefined) ?? {})
    .map(([name, s]) => {
      const nested = objectOf(s) ? schemaHtml(s, depth + 1) : "";
      const notes = [s.description as string | undefined, ...constraintsOf(s)].filter(Boolean).join(" · ");
      return (
        `<tr><td><code>${esc(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ""}</td>` +
        `<td>${esc(typeOf(s))}</td><td>${esc(notes)}${nested}</td></tr>`
      );
    })
    .join("");
  const union = Array.isArray(schema.oneOf ?? schema.anyOf) && !schema.properties;
  return `${union ? `<p class="muted">One of:</p>` : ""}<table><tr><th>Field</th><th>Type</th><th>Notes</th></tr>${rows}</table>`;
}

/** The object a schema describes (itself, its nullable variant, or its array items), if any. */
function objectOf(schema: JsonSchema): JsonSchema | undefined {
  if (schema.type === "object" && schema.properties) return schema;
  if (schema.type === "array" && schema.items) return objectOf(schema.items as JsonSchema);
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  const objects = variants
    ?.filter((v) => v.type !== "null")
    .map(objectOf)
    .filter((v) => v !== undefined);
  if (!objects?.length) return undefined;
  if (objects.length === 1) return objects[0];
  // A union of objects (e.g. the two kinds of source): their properties together, none required.
  return { type: "object", properties: Object.assign({}, ...objects.map((o) => o.properties)) };
}

/** A short type: `string (email)`, `integer`, `array of object`, `"a" | "b"`, `string | null`. */
function typeOf(s: JsonSchema): string {
  if (s.$ref) return String(s.$ref).split("/").at(-1)!;
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  const variants = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (variants) return [...new Set(variants.map(typeOf))].join(" | ");
  if (s.type === "array") return `array of ${typeOf((s.items as JsonSchema | undefined) ?? {})}`;
  const base = Array.isArray(s.type) ? s.type.join(" | ") : String(s.type ?? "any");
  return s.format ? `${base} (${s.format})` : base;
}

function constraintsOf(s: JsonSchema): string[] {
  const out: string[] = [];
  const range = (lo: unknown, hi: unknown, unit: string) => {
    if (lo !== undefined && hi !== undefined) out.push(`${unit}${lo}..${hi}`);
    else if (lo !== undefined) out.push(`${unit}≥ ${lo}`);
    else if (hi !== undefined) out.push(`${unit}≤ ${hi}`);
  };
  // zod bounds every integer to the safe range: not a constraint worth a reader's attention.
  const bound = (v: unknown) => (Math.abs(Number(v)) === Number.MAX_SAFE_INTEGER ? undefined : v);
  range(bound(s.minimum), bound(s.maximum), "");
  range(s.minLength, s.maxLength, "length ");
  range(s.minItems, s.maxItems, "items ");
  // Long generated patterns (emails, instants) say less than their format does.
  if (typeof s.pattern === "string" && s.pattern.length <= 80) out.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
