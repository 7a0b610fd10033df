#!/usr/bin/env node
import { checkSchemas, registerSchemas } from "./register.ts";

/**
 * `register-schemas [--check]`: registers every catalog subject (dev, CI, `stack up`), or with --check only
 * verifies that each local schema is registered and compatible (what a production deploy runs).
 */
const url = process.env.SCHEMA_REGISTRY_URL;
if (!url) {
  console.error("register-schemas: SCHEMA_REGISTRY_URL is not set (source .stack/stack.env)");
  process.exit(2);
}
try {
  if (process.argv.includes("--check")) {
    const rows = await checkSchemas(url);
    for (const r of rows)
      console.log(
        `${r.subject}: ${r.registered ? "registered" : "NOT registered"}, ${r.compatible ? "compatible" : "INCOMPATIBLE"}`,
      );
    process.exit(rows.every((r) => r.registered && r.compatible) ? 0 : 1);
  }
  for (const r of await registerSchemas(url)) console.log(`${r.subject}: id ${r.id}`);
} catch (err) {
  console.error(`register-schemas: ${(err as Error).message}`);
  process.exit(1);
}
