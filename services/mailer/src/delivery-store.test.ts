import { createOrm, migrate, newProcessingId } from "@postprocess/db";
import { test } from "@postprocess/testkit";
import { expect } from "vitest";
import { createDeliveryStore, type Delivery } from "./delivery-store.ts";

async function database(url: string) {
  const orm = createOrm({ clientUrl: url });
  await migrate(orm);
  await orm.em.fork().getConnection().execute("INSERT INTO accounts (id, name) VALUES ('acme', 'Acme')");
  return orm;
}

const delivery = (processingId = newProcessingId()): Delivery => ({
  processingId,
  accountId: "acme",
  recipient: "ops@acme.example",
  messageId: `<${processingId}@postprocess>`,
});

test("email_deliveries: one send per job, attempts counted, failures leave it to the retry", async ({
  databaseUrl,
}) => {
  const orm = await database(databaseUrl);
  try {
    const store = createDeliveryStore(orm);
    const rows = (id: string) =>
      orm.em.fork().getConnection().execute("SELECT * FROM email_deliveries WHERE processing_id = ?", [id]);

    // A send that fails: the row stays `sending`, with the attempt counted.
    const d = delivery();
    await expect(
      store.sendOnce(d, async () => {
        throw new Error("421 try later");
      }),
    ).rejects.toThrow("421");
    expect(await rows(d.processingId)).toMatchObject([{ status: "sending", attempts: 1, sent_at: null }]);
    expect(await store.sent(d.processingId)).toBeUndefined();

    // The retry sends and marks it sent.
    let sends = 0;
    expect(await store.sendOnce(d, async () => void sends++)).toEqual({ delivery: d, sentNow: true });
    expect(await rows(d.processingId)).toMatchObject([{ status: "sent", attempts: 2 }]);
    expect(await store.sent(d.processingId)).toEqual(d);

    // A redelivery sends nothing and gets the delivery that stands (even with another recipient now).
    const again = await store.sendOnce({ ...d, recipient: "other@acme.example" }, async () => void sends++);
    expect(again).toEqual({ delivery: d, sentNow: false });
    expect(sends).toBe(1);
    expect(await rows(d.processingId)).toMatchObject([
      { status: "sent", attempts: 2, recipient: d.recipient },
    ]);
  } finally {
    await orm.close();
  }
});

test("email_deliveries: concurrent deliveries of one job send once", async ({ databaseUrl }) => {
  const orm = await database(databaseUrl);
  try {
    const store = createDeliveryStore(orm);
    const d = delivery();
    let sends = 0;
    const slowSend = async () => {
      sends++;
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    const results = await Promise.all([store.sendOnce(d, slowSend), store.sendOnce(d, slowSend)]);
    expect(sends).toBe(1);
    expect(results.map((r) => r.sentNow).sort()).toEqual([false, true]);
  } finally {
    await orm.close();
  }
});

test("email_deliveries: the recipient comes from the projected job; constraints hold", async ({
  databaseUrl,
}) => {
  const orm = await database(databaseUrl);
  try {
    const store = createDeliveryStore(orm);
    const sql = orm.em.fork().getConnection();
    const [projected, placeholder] = [newProcessingId(), newProcessingId()];
    await sql.execute(
      `INSERT INTO conversation_processing (processing_id, conversation_id, email_id, account_id)
       VALUES (?, 'c1', 'ops@acme.example', 'acme'), (?, 'c2', '', 'acme')`,
      [projected, placeholder],
    );
    expect(await store.recipientOf(projected)).toBe("ops@acme.example");
    // The projector's placeholder row (an event arrived before conversation.ended) has no address yet.
    expect(await store.recipientOf(placeholder)).toBeUndefined();
    expect(await store.recipientOf(newProcessingId())).toBeUndefined();

    const insert = (over: Record<string, unknown>) => {
      const row = {
        processing_id: newProcessingId(),
        account_id: "acme",
        recipient: "r",
        message_id: "m",
        ...over,
      };
      return sql.execute(
        `INSERT INTO email_deliveries (${Object.keys(row).join(", ")}) VALUES (${Object.keys(row)
          .map(() => "?")
          .join(", ")})`,
        Object.values(row),
      );
    };
    await expect(insert({ status: "bounced" })).rejects.toThrow(/valid_email_delivery_status/);
    await expect(insert({ status: "sent" })).rejects.toThrow(/valid_email_delivery_sent_at/);
    await expect(insert({ processing_id: "proc_1" })).rejects.toThrow(/valid_email_delivery_processing_id/);
    await expect(insert({ attempts: 0 })).rejects.toThrow(/valid_email_delivery_attempts/);
  } finally {
    await orm.close();
  }
});
