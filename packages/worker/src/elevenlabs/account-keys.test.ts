import { randomBytes } from "node:crypto";
import { createOrm, createSecretBox, migrate } from "@postprocess/db";
import { test } from "@postprocess/testkit";
import { expect } from "vitest";
import { StepError } from "../step-error.ts";
import { accountKeyCacheMs, createElevenLabsKeys } from "./account-keys.ts";

test("an account's own sealed ElevenLabs key wins; others fall back to the deployment key", async ({
  databaseUrl,
}) => {
  const orm = createOrm({ clientUrl: databaseUrl });
  try {
    await migrate(orm);
    const secrets = createSecretBox(randomBytes(32));
    const sql = (q: string, p: unknown[] = []) => orm.em.fork().getConnection().execute(q, p);
    await sql("INSERT INTO accounts (id, name) VALUES ('own', 'Own'), ('none', 'None'), ('stale', 'Stale')");
    await sql(
      `INSERT INTO elevenlabs_integrations (account_id, api_key, recipient_email) VALUES
         ('own', ?, 'a@example.com'), ('stale', ?, 'b@example.com')`,
      [secrets.seal("xi-own-key"), createSecretBox(randomBytes(32)).seal("xi-sealed-elsewhere")],
    );

    const keys = createElevenLabsKeys({ orm, secrets, fallback: "xi-deployment-key" });
    expect(await keys.forAccount("own")).toBe("xi-own-key");
    expect(await keys.forAccount("none")).toBe("xi-deployment-key");
    // A key sealed under another SECRETS_KEY fails the step clearly instead of using another workspace's key.
    const err = await keys.forAccount("stale").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).code).toBe("ELEVENLABS_UNAUTHORIZED");

    // Answers are reused for accountKeyCacheMs: a rotated key takes effect once that has passed.
    let clock = 1_000_000;
    const cached = createElevenLabsKeys({ orm, secrets, fallback: "xi-deployment-key", now: () => clock });
    expect(await cached.forAccount("own")).toBe("xi-own-key");
    expect(await cached.forAccount("none")).toBe("xi-deployment-key");
    await sql("UPDATE elevenlabs_integrations SET api_key = ? WHERE account_id = 'own'", [
      secrets.seal("xi-rotated-key"),
    ]);
    await sql(
      "INSERT INTO elevenlabs_integrations (account_id, api_key, recipient_email) VALUES ('none', ?, 'c@example.com')",
      [secrets.seal("xi-new-key")],
    );
    clock += accountKeyCacheMs - 1;
    expect(await cached.forAccount("own")).toBe("xi-own-key");
    expect(await cached.forAccount("none")).toBe("xi-deployment-key");
    clock += 1;
    expect(await cached.forAccount("own")).toBe("xi-rotated-key");
    expect(await cached.forAccount("none")).toBe("xi-new-key");
    // A key that cannot be opened is not cached as an answer: every job reports it.
    expect(await cached.forAccount("stale").catch((e: unknown) => (e as StepError).code)).toBe(
      "ELEVENLABS_UNAUTHORIZED",
    );

    // Without a SECRETS_KEY the deployment key is all there is.
    const noBox = createElevenLabsKeys({ orm, secrets: undefined, fallback: "xi-deployment-key" });
    expect(await noBox.forAccount("own")).toBe("xi-deployment-key");
  } finally {
    await orm.close(true);
  }
});
