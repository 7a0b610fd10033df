import { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import { registerSchemas, subjectOf, type TopicDef } from "@postprocess/contracts";
import avro from "avsc";
import { PoisonMessageError, RetriableError, SchemaNotRegisteredError } from "./errors.ts";

/** A topic as the codec sees it: its real (prefixed) name and the schema events are written with. */
export type CodecTopic = Pick<TopicDef, "name" | "schema">;

/** Avro through the schema registry, in Confluent wire format (magic 0, schema id, Avro body). */
export interface Codec {
  /** Encodes with the latest schema registered under the topic's subject. */
  encode(topic: CodecTopic, value: unknown): Promise<Buffer>;
  /**
   * Decodes a message. With `readerSchema` the writer's data is resolved into that schema (defaults
   * filled), so a handler gets exactly the type it was compiled against. Throws PoisonMessageError when
   * the bytes can never be read, RetriableError when the registry could not be reached.
   */
  decode(buffer: Buffer | null, readerSchema?: unknown): Promise<unknown>;
}

export interface CodecOptions {
  registryUrl: string;
  /** Dev and tests only: register a missing subject from the local schema. Elsewhere CI registers. */
  autoRegister?: boolean;
}

/** Creates the codec; schema ids are cached per subject for the life of the process. */
export function createCodec(opts: CodecOptions): Codec {
  const registry = new SchemaRegistry({ host: opts.registryUrl });
  const ids = new Map<string, Promise<number>>();

  const lookup = async (topic: CodecTopic): Promise<number> => {
    const subject = subjectOf(topic.name);
    try {
      return await registry.getLatestSchemaId(subject);
    } catch (err) {
      if (statusOf(err) !== 404)
        throw new RetriableError(`schema registry lookup of ${subject} failed`, { cause: err });
      if (!opts.autoRegister) {
        throw new SchemaNotRegisteredError(
          `subject ${subject} is not registered; register the catalog (register-schemas) before producing`,
          { cause: err },
        );
      }
      const [registered] = await registerSchemas(opts.registryUrl, { topics: [topic as TopicDef] });
      return registered!.id;
    }
  };

  const schemaId = (topic: CodecTopic): Promise<number> => {
    const subject = subjectOf(topic.name);
    let id = ids.get(subject);
    if (!id) {
      id = lookup(topic);
      // A failed lookup must not stick: the next send asks the registry again.
      id.catch(() => ids.delete(subject));
      ids.set(subject, id);
    }
    return id;
  };

  // The registry client builds a new reader type and resolver on every decode with a reader schema, which
  // dominated the projector's CPU profile: both are built once per (reader schema, writer schema id).
  const readers = new WeakMap<object, { reader: avro.Type; resolvers: Map<number, avro.Resolver> }>();
  const resolverFor = (readerSchema: object, id: number, writer: avro.Type) => {
    let entry = readers.get(readerSchema);
    if (!entry) {
      entry = { reader: avro.Type.forSchema(readerSchema as avro.Schema), resolvers: new Map() };
      readers.set(readerSchema, entry);
    }
    let resolver = entry.resolvers.get(id);
    if (!resolver) {
      resolver = entry.reader.createResolver(writer);
      entry.resolvers.set(id, resolver);
    }
    return { reader: entry.reader, resolver };
  };

  return {
    async encode(topic, value) {
      return registry.encode(await schemaId(topic), value);
    },
    async decode(buffer, readerSchema) {
      if (!buffer) throw new PoisonMessageError("message has no value");
      if (buffer.length < 5 || buffer[0] !== 0)
        throw new PoisonMessageError("message is not in Confluent wire format");
      const id = buffer.readInt32BE(1);
      try {
        await registry.getSchema(id);
      } catch (err) {
        if (statusOf(err) === 404)
          throw new PoisonMessageError(`schema id ${id} is unknown to the registry`, { cause: err });
        throw new RetriableError(`schema registry unreachable while fetching schema ${id}`, { cause: err });
      }
      try {
        if (!readerSchema) return await registry.decode(buffer);
        const writer = (await registry.getSchema(id)) as unknown as avro.Type;
        const { reader, resolver } = resolverFor(readerSchema as object, id, writer);
        return reader.fromBuffer(buffer.subarray(5), resolver);
      } catch (err) {
        throw new PoisonMessageError(`message does not decode with schema ${id}`, { cause: err });
      }
    },
  };
}

/** The HTTP status of a registry client error (its ResponseError carries one; 400 also means "unreachable"). */
function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}
