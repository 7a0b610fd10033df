import { describe, expect } from "vitest";
import { hashApiKey } from "../api-keys/key-format.ts";
import { json, test } from "../test-gateway.ts";

const HISTORY = "/api/v1/postprocess/history";

describe("an account's own API keys", () => {
  test("a created key is shown once, stored only as its hash, and works at once", async ({ gw }) => {
    const res = await gw.post("/api/v1/keys", { name: "ci", environment: "live" });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({ account_id: "acc_a", name: "ci", environment: "live", revoked_at: null });
    expect(created.key).toMatch(/^pp_live_[0-9A-Za-z]{33}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));

    const [row] = await gw.sql<Record<string, unknown>>("SELECT * FROM api_keys WHERE id = ?", [created.id]);
    expect(row!.key_hash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);

    const listed = await json(await gw.request("/api/v1/keys"));
    expect(listed.keys.map((k: { id: string }) => k.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const withNewKey = await gw.request(HISTORY, {
      account: null,
      headers: { authorization: `Bearer ${created.key}` },
    });
    expect(withNewKey.status).toBe(200);
    // Authenticating marks the key as used (listings show it), without changing anything else of it.
    const [used] = await gw.sql<{ last_used_at: unknown; revoked_at: unknown }>(
      "SELECT last_used_at, revoked_at FROM api_keys WHERE id = ?",
      [created.id],
    );
    expect(used!.last_used_at).not.toBeNull();
    expect(used!.revoked_at).toBeNull();
  });

  test("X-API-Key works as well as the Authorization header", async ({ gw }) => {
    const res = await gw.request(HISTORY, { account: null, headers: { "x-api-key": gw.keys.acc_a! } });
    expect(res.status).toBe(200);
  });

  test("a revoked key is refused with 401 from the next request on", async ({ gw }) => {
    const { id, key } = await json(await gw.post("/api/v1/keys", { name: "old" }));
    const auth = { authorization: `Bearer ${key}` };
    expect((await gw.request(HISTORY, { account: null, headers: auth })).status).toBe(200);

    const revoked = await gw.request(`/api/v1/keys/${id}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect((await json(revoked)).revoked_at).toEqual(expect.any(String));

    const after = await gw.request(HISTORY, { account: null, headers: auth });
    expect(after.status).toBe(401);
    expect((await json(after)).error.code).toBe("UNAUTHENTICATED");
    // The other key of the account keeps working.
    expect((await gw.request(HISTORY)).status).toBe(200);
  });

  test("an account cannot see or revoke another account's keys", async ({ gw }) => {
    const bKeys = await json(await gw.request("/api/v1/keys", { account: "acc_b" }));
    const bKeyId = bKeys.keys[0].id;
    const aKeys = await json(await gw.request("/api/v1/keys"));
    expect(aKeys.keys.map((k: { id: string }) => k.id)).not.toContain(bKeyId);

    const res = await gw.request(`/api/v1/keys/${bKeyId}`, { method: "DELETE" });
    expect(res.status).toBe(404);
    expect((await gw.request(HISTORY, { account: "acc_b" })).status).toBe(200);
  });

  test("a key request is validated", async ({ gw }) => {
    const res = await gw.post("/api/v1/keys", { name: "", environment: "prod", extra: 1 });
    expect(res.status).toBe(422);
    const paths = (await json(res)).error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["environment", "extra", "name"]);
  });
});
