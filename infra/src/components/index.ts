import type { Component } from "../component.ts";
import { kafka } from "./kafka.ts";
import { mail } from "./mail.ts";
import { postgres } from "./postgres.ts";
import { registry } from "./registry.ts";
import { s3 } from "./s3.ts";

/** Every component, in start order: the registry keeps its schemas in PostgreSQL, so PostgreSQL comes first. */
export const components: readonly Component[] = [postgres, kafka, registry, s3, mail];

export function componentNamed(name: string): Component {
  const c = components.find((x) => x.name === name);
  if (!c) throw new Error(`unknown component "${name}" (known: ${components.map((x) => x.name).join(", ")})`);
  return c;
}
