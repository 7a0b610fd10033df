import { createOrm, migrate, newProcessingId } from "@postprocess/db";
import { test } from "@postprocess/testkit";
import { describe, expect } from "vitest";
import { createJobStore } from "./job-store.ts";
import { defaultSettings, settingsToRow } from "./settings.ts";

describe("createJobStore().view", () => {
  test("prefers the job's settings snapshot; falls back to the live row, then the defaults", async ({
    databaseUrl,
  }) => {
    const orm = createOrm({ clientUrl: databaseUrl });
    try {
      await migrate(orm);
      const sql = (q: string, p: unknown[] = []) => orm.em.fork().getConnection().execute(q, p);
      await sql("INSERT INTO accounts (id, name) VALUES ('acc_a', 'A'), ('acc_b', 'B')");
      // The account's settings now: changed after the snapshotted job was accepted.
      await sql(
        "INSERT INTO account_settings (account_id, processing_timeout_minutes, openai_model) VALUES ('acc_a', 45, 'live-model')",
      );
      const snapshot = { ...settingsToRow(defaultSettings), processing_timeout_minutes: 3 };
      // A snapshot from before `openai_model` existed: that setting takes its default, not undefined.
      const { openai_model: _, ...older } = snapshot;
      const [snapped, oldSnap, unsnapped] = [newProcessingId(), newProcessingId(), newProcessingId()];
      const insert = (id: string, settings: object | null) =>
        sql(
          `INSERT INTO conversation_processing (processing_id, conversation_id, account_id, email_id, status, settings)
           VALUES (?, 'conv_1', 'acc_a', 'a@b.io', 'storing', ?::jsonb)`,
          [id, settings === null ? null : JSON.stringify(settings)],
        );
      await insert(snapped, snapshot);
      await insert(oldSnap, older);
      await insert(unsnapped, null);

      const jobs = createJobStore(orm);
      const a = await jobs.view(snapped, "acc_a");
      expect(a.status).toBe("storing");
      expect(a.settings).toEqual({ ...defaultSettings, processingTimeoutMinutes: 3 });
      expect((await jobs.view(oldSnap, "acc_a")).settings).toMatchObject({
        processingTimeoutMinutes: 3,
        openaiModel: defaultSettings.openaiModel,
      });
      // No snapshot (an outside publisher), or not projected yet: the account's live settings.
      for (const id of [unsnapped, newProcessingId()]) {
        expect((await jobs.view(id, "acc_a")).settings).toMatchObject({
          processingTimeoutMinutes: 45,
          openaiModel: "live-model",
        });
      }
      // An account without a row runs with the defaults.
      expect((await jobs.view(newProcessingId(), "acc_b")).settings).toEqual(defaultSettings);
      // The snapshot the step's input carried wins over the stored one and the live row, also before the
      // projector wrote the job (the status is then unknown, not invented).
      const carried = { ...defaultSettings, processingTimeoutMinutes: 9 };
      expect(await jobs.view(snapped, "acc_a", carried)).toMatchObject({
        status: "storing",
        settings: carried,
      });
      expect(await jobs.view(newProcessingId(), "acc_a", carried)).toMatchObject({
        status: undefined,
        settings: carried,
      });
    } finally {
      await orm.close();
    }
  });
});
