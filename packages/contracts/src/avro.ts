/**
 * Avro schemas written as `as const` objects, and the TypeScript type each one describes, inferred at
 * compile time. The schema is the single source of truth: the registry stores it, avsc checks payloads
 * against it, and the compiler derives the event type from it, so the three cannot disagree.
 */

type Primitive = "null" | "boolean" | "int" | "long" | "float" | "double" | "string" | "bytes";

interface PrimitiveMap {
  null: null;
  boolean: boolean;
  int: number;
  long: number;
  float: number;
  double: number;
  string: string;
  bytes: Buffer;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroType;
  readonly default?: unknown;
  readonly doc?: string;
}

export interface AvroRecord {
  readonly type: "record";
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly AvroField[];
}

export interface AvroEnum {
  readonly type: "enum";
  readonly name: string;
  readonly namespace?: string;
  readonly symbols: readonly string[];
  readonly default?: string;
  readonly doc?: string;
}

export interface AvroArray {
  readonly type: "array";
  readonly items: AvroType;
  readonly default?: readonly unknown[];
}

export interface AvroMap {
  readonly type: "map";
  readonly values: AvroType;
}

export type AvroType = Primitive | AvroRecord | AvroEnum | AvroArray | AvroMap | readonly AvroType[];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type FieldsToObject<F extends readonly AvroField[]> = Simplify<{
  [K in F[number] as K["name"]]: Infer<K["type"]>;
}>;

/** The TypeScript type of values of an Avro schema. */
export type Infer<S> = S extends Primitive
  ? PrimitiveMap[S]
  : S extends readonly AvroType[]
    ? Infer<S[number]>
    : S extends AvroRecord
      ? FieldsToObject<S["fields"]>
      : S extends AvroEnum
        ? S["symbols"][number]
        : S extends AvroArray
          ? Infer<S["items"]>[]
          : S extends AvroMap
            ? Record<string, Infer<S["values"]>>
            : never;

/** Keeps the literal types of a schema while checking that it is one. */
export function avroRecord<const S extends AvroRecord>(schema: S): S {
  return schema;
}

/** A nullable field: `["null", T]` with a null default, the Avro way to add optional fields compatibly. */
export function optional<const N extends string, const T extends AvroType>(name: N, type: T, doc?: string) {
  return { name, type: ["null", type] as const, default: null, ...(doc ? { doc } : {}) } as const;
}

/**
 * A second use of a named type inside one schema. Avro forbids defining a name twice, so later uses must
 * refer to it by full name; the return type stays the definition's so `Infer` still sees its shape.
 */
export function ref<const T extends AvroRecord | AvroEnum>(named: T): T {
  const full = named.name.includes(".") || !named.namespace ? named.name : `${named.namespace}.${named.name}`;
  return full as unknown as T;
}
