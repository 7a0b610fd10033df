/**
 * `make demo`: the whole system on the local stack. Starts a fake ElevenLabs API (the only thing faked:
 * it is third-party SaaS), every service as its own process, submits a demo conversation through the
 * gateway, prints each status change, and finally where to read the email and the report.
 */
import { formatStatus, loadStackConfig, status } from "@postprocess/infra";
import { demoFixtures, fixtureIds, startFakeElevenLabs } from "@postprocess/testkit/fakes/elevenlabs";
import { stackEnv, startPipeline, waitFor, waitForMail } from "@postprocess/testkit/stack";

const rows = await status(loadStackConfig());
console.log(formatStatus(rows));
if (rows.some((r) => r.state !== "healthy")) {
  console.error("the stack is not healthy — see `make stack-status` and `pnpm stack logs <name>`");
  process.exit(1);
}

const env = await stackEnv();
const apiKey = "demo-elevenlabs-key";
const fake = await startFakeElevenLabs({ apiKey });
for (const f of demoFixtures()) fake.add(f.conversation, { audioBytes: f.audioBytes });
console.log(`\nfake ElevenLabs API at ${fake.url}; starting the services…`);
const pipeline = await startPipeline(env, {
  databaseUrl: env.DATABASE_URL,
  extra: { ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_API_KEY: apiKey },
});
let code = 0;
try {
  // Accounts and keys come from the operator's admin API; the demo account is kept across runs, and each
  // run gets a fresh API key (only its hash is stored).
  const key = await pipeline.createAccount("demo", { name: "Demo account" });
  const auth = { authorization: `Bearer ${key}` };

  const recipient = `demo-${Date.now()}@postprocess.example`;
  const res = await fetch(`${pipeline.gatewayUrl}/api/v1/postprocess/conversation`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth },
    body: JSON.stringify({
      conversation_id: fixtureIds.realistic,
      email_id: recipient,
      source: { kind: "elevenlabs" },
    }),
  });
  const accepted = (await res.json()) as { processing_id: string; status_url: string };
  if (!res.ok) throw new Error(`gateway answered ${res.status}: ${JSON.stringify(accepted)}`);
  console.log(`\nsubmitted ${fixtureIds.realistic} → ${accepted.processing_id}\n  ${accepted.status_url}\n`);

  const t0 = performance.now();
  let last = "";
  const final = await waitFor(
    "the demo job to finish",
    async () => {
      const s = (await (await fetch(accepted.status_url, { headers: auth })).json()) as {
        status: string;
        progress: number;
        current_step: string | null;
        minio_report_url: string | null;
        error: { code: string; message: string } | null;
        warnings: { code: string }[];
      };
      const line = `${s.status.padEnd(18)} ${String(s.progress).padStart(3)}%  ${s.current_step ?? ""}`;
      if (line !== last)
        console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`);
      last = line;
      return ["completed", "failed", "cancelled"].includes(s.status) && s;
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  if (final.status !== "completed")
    throw new Error(`the job ended ${final.status}: ${JSON.stringify(final.error)}`);
  const [mail] = await waitForMail(env, recipient);
  console.log(`\nreport (presigned, expires): ${final.minio_report_url}`);
  console.log(`email "${mail?.subject}" to ${recipient}:`);
  console.log(`  ${env.MAIL_API_URL}/api/user/${encodeURIComponent(recipient)}/messages/INBOX`);
  if (final.warnings.length) console.log(`warnings: ${final.warnings.map((w) => w.code).join(", ")}`);
} catch (err) {
  console.error(`\ndemo failed: ${(err as Error).message}\n${pipeline.outputs()}`);
  code = 1;
} finally {
  await pipeline.stop();
  await fake.close();
}
process.exit(code);
