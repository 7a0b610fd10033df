import { randomBytes } from "node:crypto";
import { describe, expect } from "vitest";
import { hashApiKey } from "../api-keys/key-format.ts";
import { json, type TestGateway, test } from "../test-gateway.ts";

const ADMIN_KEY = `pp_admin_${randomBytes(24).toString("base64url")}`;

describe("admin API", () => {
  // The admin API is off in the shared fixture; these tests build an app with it on.
  const adminApp = (gw: TestGateway, hash?: string) => gw.appWith({ adminKeySha256: hash }).app;
  const as = (key: string, body?: unknown, method = body === undefined ? "GET" : "POST") => ({
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

  test("creates an account and a key that then works on the customer API", async ({ gw }) => {
    const app = adminApp(gw, hashApiKey(ADMIN_KEY));
    const acc = await app.request(
      "/admin/v1/accounts",
      as(ADMIN_KEY, { id: "acme", name: "Acme", rate_limit_per_minute: 120, rate_limit_burst: 10 }),
    );
    expect(acc.status).toBe(201);
    expect(await json(acc)).toMatchObject({ id: "acme", rate_limit_per_minute: 120, rate_limit_burst: 10 });
    expect(
      (await app.request("/admin/v1/accounts", as(ADMIN_KEY, { id: "acme", name: "Again" }))).status,
    ).toBe(409);

    const keyRes = await app.request("/admin/v1/accounts/acme/keys", as(ADMIN_KEY, { name: "prod" }));
    expect(keyRes.status).toBe(201);
    const { key, id } = await json(keyRes);
    const history = await app.request("/api/v1/postprocess/history", as(key));
    expect(history.status).toBe(200);

    const list = await json(await app.request("/admin/v1/accounts/acme/keys", as(ADMIN_KEY)));
    expect(list.keys).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(key);

    const patched = await app.request(
      "/admin/v1/accounts/acme",
      as(ADMIN_KEY, { rate_limit_burst: 3 }, "PATCH"),
    );
    expect(await json(patched)).toMatchObject({ rate_limit_per_minute: 120, rate_limit_burst: 3 });

    expect((await app.request(`/admin/v1/keys/${id}/revoke`, as(ADMIN_KEY, {}))).status).toBe(200);
    expect((await app.request("/api/v1/postprocess/history", as(key))).status).toBe(401);
  });

  test("refuses a wrong admin key, a customer key, and invalid accounts", async ({ gw }) => {
    const app = adminApp(gw, hashApiKey(ADMIN_KEY));
    for (const key of [`${ADMIN_KEY}x`, gw.keys.acc_a!]) {
      const res = await app.request("/admin/v1/accounts", as(key, { id: "x", name: "X" }));
      expect(res.status).toBe(401);
    }
    const bad = await app.request(
      "/admin/v1/accounts",
      as(ADMIN_KEY, { id: "bad id!", name: "", rate_limit_burst: 0 }),
    );
    expect(bad.status).toBe(422);
    expect((await app.request("/admin/v1/accounts/nobody/keys", as(ADMIN_KEY, { name: "k" }))).status).toBe(
      404,
    );
  });

  test("does not exist when no admin key is configured", async ({ gw }) => {
    const app = adminApp(gw, undefined);
    const res = await app.request("/admin/v1/accounts", as(ADMIN_KEY, { id: "x", name: "X" }));
    expect(res.status).toBe(404);
  });
});
