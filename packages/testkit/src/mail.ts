import { z } from "zod";
import type { StackEnv } from "./stack-env.ts";
import { uniqueName } from "./unique.ts";
import { waitFor } from "./wait-for.ts";

const messageSchema = z.object({
  subject: z.string().nullish(),
  mimeMessage: z.string(),
  from: z.string().nullish(),
  to: z.string().nullish(),
  messageId: z.string().nullish(),
});

/** A message as GreenMail's REST API returns it: the subject and the full MIME source. */
export type ReceivedMail = z.infer<typeof messageSchema>;

/** A fresh recipient address: GreenMail (auth disabled) makes a mailbox for any address on first delivery. */
export function freshMailbox(domain = "example.test"): string {
  return `${uniqueName("inbox").toLowerCase()}@${domain}`;
}

/** Messages delivered to an address so far. */
export async function inbox(env: StackEnv, address: string): Promise<ReceivedMail[]> {
  const res = await fetch(`${env.MAIL_API_URL}/api/user/${encodeURIComponent(address)}/messages/INBOX`);
  if (res.status === 404 || res.status === 400) return [];
  if (!res.ok) throw new Error(`GreenMail API answered ${res.status} for ${address}`);
  return z.array(messageSchema).parse(await res.json());
}

/** Waits until `count` messages reached the address. */
export function waitForMail(
  env: StackEnv,
  address: string,
  count = 1,
  timeoutMs = 15_000,
): Promise<ReceivedMail[]> {
  return waitFor(
    `${count} message(s) for ${address}`,
    async () => {
      const msgs = await inbox(env, address);
      return msgs.length >= count && msgs;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * Deletes every message GreenMail holds (all mailboxes). For benchmarks only: GreenMail slows to a crawl
 * past a few hundred stored messages, which would be measured as the pipeline's latency. Never call it while
 * tests that read mail run on the same stack.
 */
export async function purgeAllMail(env: StackEnv): Promise<void> {
  const res = await fetch(`${env.MAIL_API_URL}/api/mail/purge`, { method: "POST" });
  if (!res.ok) throw new Error(`GreenMail purge answered ${res.status}`);
}
