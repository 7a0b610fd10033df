/**
 * The subset of JSON Schema (draft-07) that OpenAI Structured Outputs accepts, enough for the fake to
 * refuse a non-strict schema the way the API does and to prove its answers match the requested schema.
 */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
  $defs?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  description?: string;
}

/** Where `$ref`s point: the root's `definitions` / `$defs`. */
function resolve(root: JsonSchema, s: JsonSchema): JsonSchema {
  if (!s.$ref) return s;
  const m = /^#\/(definitions|\$defs)\/(.+)$/.exec(s.$ref);
  const target = m
    ? root[m[1] as "definitions" | "$defs"]?.[decodeURIComponent(m[2]!)]
    : s.$ref === "#" && root;
  if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
  return target;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const got = typeOf(v);
  return got === want || (want === "number" && got === "integer");
}

/** The ways `value` breaks `schema`, each with its JSON path; empty when it validates. */
export function validateJson(
  schema: JsonSchema,
  value: unknown,
  root: JsonSchema = schema,
  path = "$",
): string[] {
  const s = resolve(root, schema);
  const errors: string[] = [];
  if (s.anyOf) {
    const ok = s.anyOf.some((branch) => validateJson(branch, value, root, path).length === 0);
    if (!ok) errors.push(`${path}: matches no anyOf branch`);
    return errors;
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => typeMatches(t, value))) {
      return [`${path}: expected ${types.join("|")}, got ${typeOf(value)}`];
    }
  }
  if (s.enum && !s.enum.some((e) => e === value))
    errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if ("const" in s && s.const !== value) errors.push(`${path}: expected const ${JSON.stringify(s.const)}`);
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < s.minimum) errors.push(`${path}: below minimum ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) errors.push(`${path}: above maximum ${s.maximum}`);
  }
  if (typeof value === "string") {
    if (s.minLength !== undefined && value.length < s.minLength)
      errors.push(`${path}: shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && value.length > s.maxLength)
      errors.push(`${path}: longer than ${s.maxLength}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems)
      errors.push(`${path}: fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems)
      errors.push(`${path}: more than ${s.maxItems} items`);
    if (s.items)
      for (const [i, v] of value.entries()) errors.push(...validateJson(s.items, v, root, `${path}[${i}]`));
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    const props = s.properties ?? {};
    for (const key of s.required ?? []) if (!(key in obj)) errors.push(`${path}: missing required "${key}"`);
    for (const [key, v] of Object.entries(obj)) {
      const sub = props[key];
      if (sub) errors.push(...validateJson(sub, v, root, `${path}.${key}`));
      else if (s.additionalProperties === false) errors.push(`${path}: unexpected property "${key}"`);
      else if (typeof s.additionalProperties === "object")
        errors.push(...validateJson(s.additionalProperties, v, root, `${path}.${key}`));
    }
  }
  return errors;
}

/**
 * What strict Structured Outputs refuses in a schema, in the API's words: the root must be an object, and
 * every object must list all its properties as required and set `additionalProperties: false` (which is
 * why `.optional()` without `.nullable()` fails).
 */
export function strictSchemaProblems(root: JsonSchema): string[] {
  const problems: string[] = [];
  const rootType = resolve(root, root).type;
  if (rootType !== "object") problems.push("the root schema must be of type 'object'");
  const seen = new Set<JsonSchema>();
  const walk = (raw: JsonSchema, ctx: string) => {
    const s = resolve(root, raw);
    if (seen.has(s)) return;
    seen.add(s);
    if (s.properties || s.type === "object") {
      const keys = Object.keys(s.properties ?? {});
      const missing = keys.filter((k) => !(s.required ?? []).includes(k));
      if (missing.length)
        problems.push(
          `In context=(${ctx}), 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`,
        );
      if (s.additionalProperties !== false)
        problems.push(
          `In context=(${ctx}), 'additionalProperties' is required to be supplied and to be false.`,
        );
      for (const [k, sub] of Object.entries(s.properties ?? {})) walk(sub, ctx ? `${ctx}, '${k}'` : `'${k}'`);
    }
    if (s.items) walk(s.items, `${ctx}, 'items'`);
    for (const branch of s.anyOf ?? []) walk(branch, `${ctx}, 'anyOf'`);
  };
  walk(root, "");
  return problems;
}
