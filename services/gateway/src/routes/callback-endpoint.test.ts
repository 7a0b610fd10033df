import { describe, expect } from "vitest";
import { json, type TestGateway, test } from "../test-gateway.ts";

const path = "/api/v1/callbacks/endpoint";
const put = (gw: TestGateway, body: unknown, account = "acc_a") =>
  gw.request(path, {
    method: "PUT",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json" },
    account,
  });
const storedSecret = async (gw: TestGateway, account = "acc_a") =>
  (
    await gw.sql<{ secret: string }>("SELECT secret FROM callback_endpoints WHERE account_id = ?", [account])
  )[0]?.secret;

describe("/api/v1/callbacks/endpoint", () => {
  test("creating shows the new secret once; it is stored sealed and never shown again", async ({ gw }) => {
    const created = await put(gw, { url: "https://hooks.example.com/pp" });
    expect(created.status).toBe(201);
    const body = await json(created);
    expect(body).toEqual({
      url: "https://hooks.example.com/pp",
      enabled: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    expect(Buffer.from(body.secret.slice("whsec_".length), "base64")).toHaveLength(32);

    const sealed = await storedSecret(gw);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(body.secret.slice("whsec_".length));

    const shown = await gw.request(path);
    expect(shown.status).toBe(200);
    const text = await shown.text();
    expect(JSON.parse(text)).toEqual({
      url: "https://hooks.example.com/pp",
      enabled: true,
      created_at: body.created_at,
      updated_at: body.updated_at,
    });
    expect(text).not.toContain(body.secret);
    expect(JSON.stringify(gw.logs)).not.toContain(body.secret.slice("whsec_".length));
  });

  test("replacing the URL keeps the secret; rotate_secret replaces it and shows the new one", async ({
    gw,
  }) => {
    const first = await json(await put(gw, { url: "https://hooks.example.com/one" }));
    const sealed = await storedSecret(gw);

    const replaced = await put(gw, { url: "https://hooks.example.com/two", enabled: false });
    expect(replaced.status).toBe(200);
    const body = await json(replaced);
    expect(body).toMatchObject({ url: "https://hooks.example.com/two", enabled: false });
    expect(body).not.toHaveProperty("secret");
    expect(await storedSecret(gw)).toBe(sealed);

    const rotated = await put(gw, { url: "https://hooks.example.com/two", rotate_secret: true });
    expect(rotated.status).toBe(200);
    const { secret } = await json(rotated);
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(first.secret);
    expect(await storedSecret(gw)).not.toBe(sealed);
  });

  test("invalid bodies are 422 with the offending field", async ({ gw }) => {
    const cases: [unknown, string, string][] = [
      [{ url: "http://hooks.example.com/pp" }, "url", "must use https"],
      [{ url: "https://user:pw@hooks.example.com/" }, "url", "must not contain credentials"],
      [{ url: "not a url" }, "url", "must be an absolute http(s) URL"],
      [{}, "url", expect.any(String)],
      [{ url: "https://hooks.example.com/", secret: "whsec_mine" }, "secret", "unknown field"],
      [{ url: "https://hooks.example.com/", rotate_secret: "yes" }, "rotate_secret", expect.any(String)],
    ];
    for (const [body, field, message] of cases) {
      const res = await put(gw, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await json(res)).error).toMatchObject({
        code: "VALIDATION_FAILED",
        details: expect.arrayContaining([{ path: field, message }]),
      });
    }
    expect((await put(gw, "{nope")).status).toBe(400);
    expect(await storedSecret(gw)).toBeUndefined();
  });

  test("GET and DELETE: 404 NOT_CONFIGURED without an endpoint; DELETE removes it", async ({ gw }) => {
    expect((await json(await gw.request(path))).error.code).toBe("NOT_CONFIGURED");
    await put(gw, { url: "https://hooks.example.com/pp" });
    expect((await gw.request(path, { method: "DELETE" })).status).toBe(204);
    expect((await gw.request(path)).status).toBe(404);
    const again = await gw.request(path, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect((await json(again)).error.code).toBe("NOT_CONFIGURED");
  });

  test("each account sees and changes only its own endpoint", async ({ gw }) => {
    await put(gw, { url: "https://hooks.example.com/a" });
    expect((await gw.request(path, { account: "acc_b" })).status).toBe(404);
    expect((await gw.request(path, { method: "DELETE", account: "acc_b" })).status).toBe(404);
    expect((await put(gw, { url: "https://hooks.example.com/b" }, "acc_b")).status).toBe(201);
    expect((await json(await gw.request(path))).url).toBe("https://hooks.example.com/a");
    expect((await json(await gw.request(path, { account: "acc_b" }))).url).toBe(
      "https://hooks.example.com/b",
    );
  });
});
