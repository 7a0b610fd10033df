import { test, waitFor } from "@postprocess/testkit";
import { expect } from "vitest";
import { withGatewayAndProjector } from "./gateway-and-projector.ts";

test("gateway and projector processes: each job keeps the settings it was accepted with", async ({
  env,
  admin,
}) => {
  await withGatewayAndProjector(
    { env, admin, extra: { RECONCILE_INTERVAL_MS: "0" } },
    async ({ gatewayUrl, auth, sql }) => {
      const call = (path: string, method = "GET", body?: unknown) =>
        fetch(`${gatewayUrl}${path}`, {
          method,
          headers: { "content-type": "application/json", ...auth },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const submit = async (conversationId: string) => {
        const res = await call("/api/v1/postprocess/conversation", "POST", {
          conversation_id: conversationId,
          email_id: "ops@acme.example",
          source: { kind: "elevenlabs" },
        });
        expect(res.status).toBe(202);
        return ((await res.json()) as { processing_id: string }).processing_id;
      };

      expect((await call("/api/v1/settings", "PATCH", { processing_timeout_minutes: 5 })).status).toBe(200);
      const before = await submit("conv_before");
      expect((await call("/api/v1/settings", "PATCH", { processing_timeout_minutes: 45 })).status).toBe(200);
      const after = await submit("conv_after");

      // The projector stored each job's snapshot from its conversation.ended; the status shows it.
      const snapshotOf = (id: string) =>
        waitFor(`the projected settings of ${id}`, async () => {
          const { rows } = await sql.query(
            "SELECT settings FROM conversation_processing WHERE processing_id = $1",
            [id],
          );
          return rows[0]?.settings ?? undefined;
        });
      expect(await snapshotOf(before)).toMatchObject({
        processing_timeout_minutes: 5,
        openai_model: "gpt-4",
      });
      expect(await snapshotOf(after)).toMatchObject({ processing_timeout_minutes: 45 });
      const status = (await (await call(`/api/v1/postprocess/status/${before}`)).json()) as {
        settings: { processing_timeout_minutes: number };
      };
      expect(status.settings.processing_timeout_minutes).toBe(5);
    },
  );
});
