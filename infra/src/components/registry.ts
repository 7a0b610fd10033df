import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { type Component, healthTimeoutMs } from "../component.ts";
import { databases, type StackConfig } from "../config.ts";
import { cached, mavenCopy, untar } from "../download.ts";
import { lightJvm, processFiles, startDetached } from "../process.ts";

const VERSION = "3.3.3";
const home = (c: StackConfig) => join(c.PP_CACHE_DIR, `apicurio-registry-${VERSION}`);

/** The Confluent-compatible API that @kafkajs/confluent-schema-registry speaks. */
export const registryUrl = (c: StackConfig) => `http://127.0.0.1:${c.PP_REGISTRY_PORT}/apis/ccompat/v7`;

/** Apicurio Registry 3.3 (Quarkus), stored in its own PostgreSQL database so schema ids survive restarts. */
export const registry: Component = {
  name: "registry",
  version: VERSION,
  port: (c) => c.PP_REGISTRY_PORT,
  managed: true,
  startTimeoutMs: 90_000,
  async install(ctx) {
    await cached(home(ctx.config), async (dir) => {
      ctx.say(`registry: downloading Apicurio Registry ${VERSION} from Maven Central`);
      await mavenCopy(`io.apicurio:apicurio-registry-app:${VERSION}:tar.gz:all`, dir);
      const archive = (await readdir(dir)).find((f) => f.endsWith(".tar.gz"));
      if (!archive) throw new Error("registry: the downloaded archive is missing");
      await untar(join(dir, archive), dir);
    });
  },
  async start(ctx) {
    const c = ctx.config;
    const jdk = await ctx.jdk(21);
    const jar = await findQuarkusJar(home(c));
    return startDetached(
      processFiles(c.runDir, c.logDir, "registry"),
      jdk.java,
      // Quarkus spends its boot compiling; the registry's traffic is light (clients cache schemas by id).
      [
        ...lightJvm,
        "-Xmx384m",
        `-Dquarkus.http.port=${c.PP_REGISTRY_PORT}`,
        "-Dquarkus.http.host=127.0.0.1",
        "-jar",
        jar,
      ],
      {
        cwd: join(jar, ".."),
        env: {
          APICURIO_STORAGE_KIND: "sql",
          APICURIO_STORAGE_SQL_KIND: "postgresql",
          APICURIO_DATASOURCE_URL: `jdbc:postgresql://${c.PP_PG_HOST}:${c.PP_PG_PORT}/${databases.registry}`,
          APICURIO_DATASOURCE_USERNAME: c.PP_PG_USER,
          APICURIO_DATASOURCE_PASSWORD: c.PP_PG_PASSWORD,
        },
      },
    );
  },
  async healthy(ctx) {
    const res = await fetch(`${registryUrl(ctx.config)}/subjects`, {
      signal: AbortSignal.timeout(healthTimeoutMs),
    });
    return res.ok;
  },
  env: (c) => ({ SCHEMA_REGISTRY_URL: registryUrl(c) }),
};

/** The tarball unpacks to a folder holding `quarkus-run.jar`; its name is not part of the contract. */
async function findQuarkusJar(dir: string): Promise<string> {
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isFile() && e.name === "quarkus-run.jar") return join(d, e.name);
      if (e.isDirectory()) stack.push(join(d, e.name));
    }
  }
  throw new Error(`registry: no quarkus-run.jar under ${dir}`);
}
