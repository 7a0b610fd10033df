import { waitFor } from "@postprocess/testkit";
import { describe, expect } from "vitest";
import { sweepReconcile } from "./sweep.ts";
import { EL_KEY, HOUR, isoAgo, listRequests, test } from "./test-reconcile.ts";

const outcomes = (report: Awaited<ReturnType<typeof sweepReconcile>>) =>
  report.accounts.map((a) => [a.accountId, a.outcome, a.started.map((s) => s.conversationId)]);

describe("sweepReconcile", () => {
  test("a 429 stops that account's run only; no run lists it again before its Retry-After", async ({
    rc,
  }) => {
    await rc.addIntegration("acc_a", { agentId: "agent_a" });
    await rc.addIntegration("acc_b", { agentId: "agent_b" });
    rc.addCall("a1", { startedAgoMs: 2 * HOUR, agentId: "agent_a" });
    rc.addCall("b1", { startedAgoMs: 2 * HOUR, agentId: "agent_b" });
    // Accounts run in id order, so acc_a's first list request is the one limited.
    rc.fake.failNextList({ kind: "rateLimited", retryAfterSecs: 120 });

    const first = await sweepReconcile(rc.deps);
    expect(outcomes(first)).toEqual([
      ["acc_a", "rate-limited", []],
      ["acc_b", "complete", ["b1"]],
    ]);
    expect(await rc.progress("acc_a")).toEqual({
      reconciledUntil: null,
      resumeBefore: null,
      notBefore: new Date(rc.clock.now.getTime() + 120_000).toISOString(),
    });

    const asksForA = () => listRequests(rc).filter((r) => r.query.agent_id === "agent_a").length;
    rc.clock.now = new Date(rc.clock.now.getTime() + 60_000);
    expect(outcomes(await sweepReconcile(rc.deps))).toEqual([["acc_b", "complete", []]]);
    expect(asksForA()).toBe(1);

    rc.clock.now = new Date(rc.clock.now.getTime() + 61_000);
    expect(outcomes(await sweepReconcile(rc.deps))).toEqual([
      ["acc_a", "complete", ["a1"]],
      ["acc_b", "complete", []],
    ]);
    expect((await rc.progress("acc_a")).notBefore).toBeNull();
  });

  test("a refused key is logged without the key and skips that account; the others run", async ({ rc }) => {
    const refused = "xi-revoked-key-9d8e7f";
    await rc.addIntegration("acc_a", { apiKey: refused });
    await rc.addIntegration("acc_b");
    rc.addCall("c1", { startedAgoMs: 2 * HOUR });

    const report = await sweepReconcile(rc.deps);
    expect(outcomes(report)).toEqual([
      ["acc_a", "unauthorized", []],
      ["acc_b", "complete", ["c1"]],
    ]);
    expect(rc.logs.find((l) => l.level === "error")?.obj).toMatchObject({ accountId: "acc_a" });
    const logged = JSON.stringify(rc.logs);
    expect(logged).not.toContain(refused);
    expect(logged).not.toContain(EL_KEY);
    expect(await rc.progress("acc_a")).toEqual({
      reconciledUntil: null,
      resumeBefore: null,
      notBefore: null,
    });
  });

  test("of two concurrent sweeps, one runs and the other does nothing; each job starts once", async ({
    rc,
  }) => {
    await rc.addIntegration("acc_a");
    rc.addCall("c1", { startedAgoMs: 2 * HOUR });
    rc.addCall("c2", { startedAgoMs: 3 * HOUR });
    // Hold the first sweep inside its first publish, with the leader lock held, while the second one tries.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let publishing = false;
    rc.beforePublish = async () => {
      publishing = true;
      await held;
    };
    const first = sweepReconcile(rc.deps);
    await waitFor("the first sweep to be publishing", () => publishing);
    const second = await sweepReconcile(rc.deps);
    expect(second).toEqual({ elected: false, accounts: [] });
    release();
    expect(outcomes(await first)).toEqual([["acc_a", "complete", ["c1", "c2"]]]);
    expect(rc.published.map((e) => e.conversation_id)).toEqual(["c1", "c2"]);
    // The lock went with the first sweep: the next one is elected, and finds nothing left to start.
    const third = await sweepReconcile(rc.deps);
    expect(third.elected).toBe(true);
    expect(outcomes(third)).toEqual([["acc_a", "complete", []]]);
  });

  test("a dry run reports what it would start, and starts and stores nothing", async ({ rc }) => {
    await rc.addIntegration("acc_a");
    rc.addCall("c1", { startedAgoMs: 2 * HOUR });
    await rc.gw.insertJob({ conversationId: "c2", status: "completed" });
    rc.addCall("c2", { startedAgoMs: 3 * HOUR });

    const report = await sweepReconcile({ ...rc.deps, dryRun: true });
    expect(report.accounts).toMatchObject([
      {
        accountId: "acc_a",
        outcome: "complete",
        started: [{ conversationId: "c1", processingId: null }],
        alreadyHandled: 1,
        reconciledUntil: isoAgo(rc, 10 * 60_000),
      },
    ]);
    expect(rc.published).toEqual([]);
    expect(await rc.progress("acc_a")).toEqual({
      reconciledUntil: null,
      resumeBefore: null,
      notBefore: null,
    });
    const [{ n }] = (await rc.gw.sql("SELECT count(*)::int AS n FROM gateway_submissions")) as [
      { n: number },
    ];
    expect(n).toBe(0);
  });

  test("only enabled integrations with a key are swept", async ({ rc }) => {
    await rc.addIntegration("acc_a");
    await rc.addIntegration("acc_b");
    await rc.gw.sql(
      "UPDATE elevenlabs_integrations SET reconcile_enabled = false WHERE account_id = 'acc_a'",
    );
    await rc.gw.sql("UPDATE elevenlabs_integrations SET api_key = NULL WHERE account_id = 'acc_b'");
    expect(await sweepReconcile(rc.deps)).toEqual({ elected: true, accounts: [] });
    expect(rc.fake.requests()).toEqual([]);
  });
});
