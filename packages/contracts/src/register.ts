import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { allTopics, subjectOf, type TopicDef } from "./catalog.ts";

/**
 * Every subject evolves under BACKWARD_TRANSITIVE: a consumer on the newest schema reads every event ever
 * written, which is what replaying the whole stream into an empty database needs.
 */
export const COMPATIBILITY_MODE = "BACKWARD_TRANSITIVE";

export interface RegisterResult {
  subject: string;
  id: number;
}

/** Content type the Confluent REST API expects. */
const json = { "content-type": "application/vnd.schemaregistry.v1+json" };

/**
 * Registers each topic's schema under `<prefix><topic>-value` with BACKWARD_TRANSITIVE. Idempotent: an
 * unchanged schema returns its existing id; an incompatible one is refused by the registry and throws.
 * Used by `stack up` (dev) and CI; producers outside dev only look ids up.
 */
export async function registerSchemas(
  registryUrl: string,
  opts: { prefix?: string; topics?: readonly TopicDef[] } = {},
): Promise<RegisterResult[]> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const out: RegisterResult[] = [];
  for (const t of opts.topics ?? allTopics) {
    const subject = subjectOf(`${opts.prefix ?? ""}${t.name}`);
    // Set the mode before the first version exists, so even version 1 is checked by later ones.
    const res = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ compatibility: COMPATIBILITY_MODE }),
    });
    if (!res.ok)
      throw new Error(
        `registry refused the compatibility mode of ${subject}: ${res.status} ${await res.text()}`,
      );
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(t.schema) },
      { subject, compatibility: COMPATIBILITY_MODE as never },
    );
    out.push({ subject, id });
  }
  return out;
}

/** Checks, without registering, that each local schema is compatible with what the registry holds. */
export async function checkSchemas(
  registryUrl: string,
  opts: { prefix?: string; topics?: readonly TopicDef[] } = {},
): Promise<{ subject: string; compatible: boolean; registered: boolean }[]> {
  const out = [];
  for (const t of opts.topics ?? allTopics) {
    const subject = subjectOf(`${opts.prefix ?? ""}${t.name}`);
    const body = JSON.stringify({ schemaType: "AVRO", schema: JSON.stringify(t.schema) });
    const lookup = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}`, {
      method: "POST",
      headers: json,
      body,
    });
    const registered = lookup.ok;
    const check = await fetch(
      `${registryUrl}/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`,
      {
        method: "POST",
        headers: json,
        body,
      },
    );
    // A subject with no versions yet is compatible with anything.
    const compatible =
      check.status === 404 ||
      (check.ok && ((await check.json()) as { is_compatible: boolean }).is_compatible);
    out.push({ subject, compatible, registered });
  }
  return out;
}
