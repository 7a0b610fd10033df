import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Component, healthTimeoutMs } from "../component.ts";
import type { StackConfig } from "../config.ts";
import { cached, mavenCopy } from "../download.ts";
import { lightJvm, processFiles, startDetached } from "../process.ts";

const VERSION = "2.6.0";
const jar = (c: StackConfig) =>
  join(c.PP_CACHE_DIR, `s3proxy-${VERSION}`, `s3proxy-${VERSION}-jar-with-dependencies.jar`);

/** S3Proxy: the real S3 REST API (SigV2/V4, presigned URLs) over a local folder. */
export const s3: Component = {
  name: "s3",
  version: VERSION,
  port: (c) => c.PP_S3_PORT,
  managed: true,
  startTimeoutMs: 45_000,
  async install(ctx) {
    await cached(join(ctx.config.PP_CACHE_DIR, `s3proxy-${VERSION}`), async (dir) => {
      ctx.say(`s3: downloading S3Proxy ${VERSION} from Maven Central`);
      await mavenCopy(`org.gaul:s3proxy:${VERSION}:jar:jar-with-dependencies`, dir);
    });
  },
  async start(ctx) {
    const c = ctx.config;
    const jdk = await ctx.jdk(17);
    const conf = join(c.runDir, "s3proxy.conf");
    const base = join(c.dataDir, "s3");
    await mkdir(base, { recursive: true });
    await writeFile(
      conf,
      [
        `s3proxy.endpoint=http://127.0.0.1:${c.PP_S3_PORT}`,
        "s3proxy.authorization=aws-v2-or-v4",
        `s3proxy.identity=${c.PP_S3_ACCESS_KEY}`,
        `s3proxy.credential=${c.PP_S3_SECRET_KEY}`,
        "jclouds.provider=filesystem",
        `jclouds.filesystem.basedir=${base}`,
        "",
      ].join("\n"),
    );
    return startDetached(
      processFiles(c.runDir, c.logDir, "s3"),
      jdk.java,
      [...lightJvm, "-Xmx256m", "-jar", jar(c), "--properties", conf],
      { cwd: c.runDir },
    );
  },
  async healthy(ctx) {
    // An unsigned request is refused with an S3 XML error: proof the S3 API (not just a socket) answers.
    const res = await fetch(`http://127.0.0.1:${ctx.config.PP_S3_PORT}/`, {
      signal: AbortSignal.timeout(healthTimeoutMs),
    });
    const body = await res.text();
    return res.status === 200 || body.includes("<Error>") || body.includes("ListAllMyBucketsResult");
  },
  env: (c) => ({
    S3_ENDPOINT: `http://127.0.0.1:${c.PP_S3_PORT}`,
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY: c.PP_S3_ACCESS_KEY,
    S3_SECRET_KEY: c.PP_S3_SECRET_KEY,
  }),
};
