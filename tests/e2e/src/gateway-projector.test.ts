import { newEventId, topics } from "@postprocess/contracts";
import { createCodec, createKafka, createProducer, silentLogger } from "@postprocess/kafka";
import { test, uniqueName, waitFor } from "@postprocess/testkit";
import { expect, onTestFinished } from "vitest";
import { withGatewayAndProjector } from "./gateway-and-projector.ts";

test("gateway and projector processes: submit → pending → projected → running → cancelled, on the real stack", async ({
  env,
  admin,
}) => {
  await withGatewayAndProjector({ env, admin }, async ({ prefix, gatewayUrl, auth, sql, stop }) => {
    const kafka = createKafka({
      brokers: env.KAFKA_BROKERS.split(","),
      clientId: uniqueName("e2e"),
      logger: silentLogger,
    });
    const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
    const worker = createProducer(kafka, codec, { topicPrefix: prefix });
    onTestFinished(() => worker.disconnect());
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${gatewayUrl}/api/v1/postprocess${path}`, {
        ...init,
        headers: { "content-type": "application/json", ...auth, ...init.headers },
      });
    const body = {
      conversation_id: "conv_e2e_1",
      email_id: "ops@acme.example",
      source: {
        kind: "inline",
        transcript: [
          { role: "agent", message: "Hello, how can I help?", time_in_call_secs: 0 },
          { role: "user", message: "I need a refund.", time_in_call_secs: 2.5 },
        ],
      },
    };
    const accepted = await api("/conversation", { method: "POST", body: JSON.stringify(body) });
    expect(accepted.status).toBe(202);
    const { processing_id, status_url } = (await accepted.json()) as {
      processing_id: string;
      status_url: string;
    };
    expect(status_url).toBe(`${gatewayUrl}/api/v1/postprocess/status/${processing_id}`);
    const first = await fetch(status_url, { headers: auth });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ processing_id, status: "pending", progress: 0 });

    await waitFor("the projector to write the job row", async () => {
      const { rows } = await sql.query(
        "SELECT email_id, status FROM conversation_processing WHERE processing_id = $1",
        [processing_id],
      );
      return rows[0]?.email_id === "ops@acme.example" && rows[0];
    });

    // Act as the extractor would: the step starts, and the API shows it.
    await worker.connect();
    const envelope = () => ({
      event_id: newEventId(),
      occurred_at: new Date().toISOString(),
      processing_id,
      conversation_id: "conv_e2e_1",
      account_id: "acme",
    });
    await worker.send("stepEvent", {
      ...envelope(),
      step: "extract",
      status: "started",
      attempt: 1,
      duration_ms: null,
      error: null,
      warning: null,
    });
    await waitFor("status extracting through the API", async () => {
      const s = (await (await api(`/status/${processing_id}`)).json()) as {
        status: string;
        progress: number;
      };
      return s.status === "extracting" && s;
    });

    const cancel = await api(`/${processing_id}/cancel`, {
      method: "POST",
      body: JSON.stringify({ reason: "customer asked" }),
    });
    expect(cancel.status).toBe(202);
    const cancelled = await waitFor("status cancelled through the API", async () => {
      const s = (await (await api(`/status/${processing_id}`)).json()) as {
        status: string;
        processing_completed_at: string | null;
      };
      return s.status === "cancelled" && s;
    });
    expect(cancelled.processing_completed_at).not.toBeNull();
    const again = await api(`/${processing_id}/cancel`, { method: "POST", body: "{}" });
    expect(again.status).toBe(409);

    // The audit log has the job's start, the step and the cancellation.
    const { rows: audit } = await sql.query(
      "SELECT event_type, event_status FROM processing_audit_log WHERE processing_id = $1 ORDER BY created_at",
      [processing_id],
    );
    expect(audit).toEqual([
      { event_type: "conversation.ended", event_status: "started" },
      { event_type: "step.started", event_status: "started" },
      { event_type: "cancel.requested", event_status: "cancelled" },
    ]);

    // Outside consumers see the same on processing.status.
    const statuses: { processing_id: string; status: string; version: number }[] = [];
    const reader = kafka.consumer({ groupId: uniqueName("outside"), maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: prefix + topics.processingStatus.name, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => void statuses.push((await codec.decode(message.value)) as never),
    });
    await waitFor("the cancelled status on processing.status", () =>
      statuses.some((s) => s.status === "cancelled"),
    );
    await reader.disconnect();
    expect(statuses.map((s) => s.status)).toEqual(["pending", "extracting", "cancelled"]);

    // The conversation is no longer active: submitting it again starts a new job.
    const resubmitted = await api("/conversation", { method: "POST", body: JSON.stringify(body) });
    expect(resubmitted.status).toBe(202);
    expect(((await resubmitted.json()) as { processing_id: string }).processing_id).not.toBe(processing_id);

    // SIGTERM: both shut down cleanly within their timeout.
    expect(await stop()).toEqual({ gateway: 0, projector: 0 });
  });
});
