/**
 * Memory benchmark of the storage step's audio copy (a script, not a test; needs `make stack-up`):
 *
 *   node services/storage/bench/stream-audio.ts [bigMB=200] [naiveMB=50]
 *
 * A child process serves a generated recording over local HTTP (bytes made on the fly, never held whole).
 * Each measurement runs in a fresh child process of its own (a clean baseline after a 2 MB warm-up copy),
 * sampling `process.memoryUsage().rss` every 10 ms during the copy into the stack's real S3:
 *
 * - streaming: the service's `copyAudio` of the big file, then the same copy again in the same process;
 * - control: `fetch` of the big file with every byte thrown away — the floor any fetch-based copy pays;
 * - naive: `arrayBuffer()` then one PUT, of a smaller file — the way not to do it, for the ratio.
 */
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createBucket, s3Client, stackEnv } from "@postprocess/testkit/stack";
import { copyAudio } from "../src/copy-audio.ts";

const MiB = 1024 * 1024;
const self = new URL(import.meta.url).pathname;

interface Figures {
  label: string;
  mb: number;
  baselineMb: number;
  peakMb: number;
  deltaMb: number;
  seconds: number;
  sha256: string | null;
}

/** Serves GET /<bytes>: 1 MiB blocks of fixed bytes, each stamped with its index, written with backpressure. */
function serve(): void {
  const seed = createHash("sha256").update("postprocess").digest();
  const mib = Buffer.concat(Array.from({ length: MiB / seed.length }, () => seed));
  const server = createServer((req, res) => {
    const total = Number(req.url?.slice(1));
    const hash = createHash("sha256");
    res.writeHead(200, { "content-type": "audio/mpeg", "content-length": String(total) });
    let sent = 0;
    let i = 0;
    const pump = () => {
      while (sent < total) {
        const chunk = Buffer.from(mib.subarray(0, Math.min(MiB, total - sent)));
        chunk.writeUInt32BE(i++ % 2 ** 32, 0);
        sent += chunk.length;
        hash.update(chunk);
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end(() => process.send?.({ served: total, sha256: hash.digest("hex") }));
    };
    pump();
  });
  server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

/** Samples RSS while `run` works; the baseline is the RSS just before. */
async function sampled(label: string, mb: number, run: () => Promise<string | null>): Promise<Figures> {
  const rss = () => process.memoryUsage().rss / MiB;
  const baselineMb = rss();
  let peakMb = baselineMb;
  const sampler = setInterval(() => {
    peakMb = Math.max(peakMb, rss());
  }, 10);
  const started = performance.now();
  const sha256 = await run();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakMb = Math.max(peakMb, rss());
  return { label, mb, baselineMb, peakMb, deltaMb: peakMb - baselineMb, seconds, sha256 };
}

/** One measurement, in this (fresh) child process; the figures go back to the parent. */
async function measure(kind: string, origin: string, mb: number, bucket: string): Promise<void> {
  const s3 = s3Client(await stackEnv());
  const source = {
    elevenLabsBaseUrl: "https://api.elevenlabs.io",
    // The benchmark's source is a local server.
    allowPrivateNetworks: true,
    elevenLabsApiKey: undefined,
    timeoutMs: 30_000,
  };
  const streamCopy = async (size: number, key: string) => {
    const url = `${origin}/${size * MiB}`;
    const out = await copyAudio({ s3, source, url, bucket, keyFor: () => key, maxBytes: 1024 * MiB });
    if (!("stored" in out)) throw new Error(`copy skipped: ${out.warning.code}`);
    return out.stored.sha256;
  };
  const drain = async (size: number) => {
    const res = await fetch(`${origin}/${size * MiB}`);
    await pipeline(Readable.fromWeb(res.body!), new Writable({ write: (_c, _e, done) => done() }));
    return null;
  };
  const naiveCopy = async (size: number, key: string) => {
    const body = Buffer.from(await (await fetch(`${origin}/${size * MiB}`)).arrayBuffer());
    await s3.putObject(bucket, key, body, body.length, { "Content-Type": "audio/mpeg" });
    return createHash("sha256").update(body).digest("hex");
  };
  const out: Figures[] = [];
  if (kind === "stream") {
    await streamCopy(2, "warmup.mp3");
    out.push(await sampled("streaming, fresh process", mb, () => streamCopy(mb, "stream.mp3")));
    out.push(await sampled("streaming, next copy", mb, () => streamCopy(mb, "stream.mp3")));
  } else if (kind === "drain") {
    await drain(2);
    out.push(await sampled("control: fetch, discard", mb, () => drain(mb)));
  } else {
    await naiveCopy(2, "warmup.mp3");
    out.push(await sampled("naive arrayBuffer()", mb, () => naiveCopy(mb, "naive.mp3")));
  }
  process.send?.(out);
}

function child(argv: string[]): Promise<Figures[]> {
  return new Promise((resolve, reject) => {
    const p = fork(self, argv, { stdio: "inherit" });
    p.once("message", (m) => resolve(m as Figures[]));
    p.once("exit", (code) => code && reject(new Error(`${argv[0]} measurement exited with ${code}`)));
  });
}

async function main(bigMb: number, naiveMb: number): Promise<void> {
  const env = await stackEnv();
  const { bucket, remove } = await createBucket(s3Client(env));
  const served = new Map<number, string>();
  const server = fork(self, ["serve"], { stdio: "inherit" });
  const port = await new Promise<number>((resolve) =>
    server.on("message", (m: { port?: number; served?: number; sha256?: string }) => {
      if (m.port) resolve(m.port);
      else if (m.served && m.sha256) served.set(m.served, m.sha256);
    }),
  );
  try {
    const origin = `http://127.0.0.1:${port}`;
    const [first, next] = await child(["stream", origin, String(bigMb), bucket]);
    const [control] = await child(["drain", origin, String(bigMb), bucket]);
    const [naive] = await child(["naive", origin, String(naiveMb), bucket]);
    const mb = (n: number, w = 6) => `${n.toFixed(1).padStart(w)} MB`;
    console.log(`audio copy into S3 at ${env.S3_ENDPOINT}; RSS sampled every 10 ms; one fresh process each`);
    for (const f of [first!, next!, control!, naive!]) {
      console.log(
        `${f.label.padEnd(26)} ${String(f.mb).padStart(4)} MB  baseline ${mb(f.baselineMb)}  ` +
          `peak ${mb(f.peakMb)}  delta ${mb(f.deltaMb)}  ${(f.mb / f.seconds).toFixed(1).padStart(5)} MB/s`,
      );
    }
    const ok = first!.sha256 === served.get(bigMb * MiB) && next!.sha256 === first!.sha256;
    console.log(`streaming copy's sha256 equals the served bytes': ${ok ? "yes" : "NO"}`);
    console.log(
      `naive: +${naive!.deltaMb.toFixed(1)} MB for ${naiveMb} MB, ${(naive!.deltaMb / first!.deltaMb).toFixed(1)}× the ` +
        `streaming copy's growth while copying ${bigMb / naiveMb}× less (it grows with the file; streaming does not)`,
    );
    console.log(
      `target ≤ ~50 MB for ${bigMb} MB: fresh process ${first!.deltaMb <= 50 ? "met" : "over"} ` +
        `(${first!.deltaMb.toFixed(1)} MB; fetch alone, discarding every byte, shows ${control!.deltaMb.toFixed(1)} MB), ` +
        `next copy ${next!.deltaMb <= 50 ? "met" : "over"} (${next!.deltaMb.toFixed(1)} MB)`,
    );
  } finally {
    server.kill();
    await remove();
  }
}

const [role, ...args] = process.argv.slice(2);
if (role === "serve") serve();
else if (role === "stream" || role === "drain" || role === "naive") {
  await measure(role, args[0]!, Number(args[1]), args[2]!);
} else await main(Number(role ?? 200), Number(args[0] ?? 50));
