import { describe, expect, it } from "vitest";
import { callbackUrlSchema } from "./callback-url.ts";

const strict = callbackUrlSchema({ allowHttp: false });
const lax = callbackUrlSchema({ allowHttp: true });
const problem = (schema: typeof strict, value: unknown) => schema.safeParse(value).error?.issues[0]?.message;

describe("callbackUrlSchema", () => {
  it("accepts https URLs, with a port, path and query", () => {
    expect(strict.parse("https://hooks.example.com:8443/pp?tenant=7")).toBe(
      "https://hooks.example.com:8443/pp?tenant=7",
    );
  });

  it("refuses http unless the deployment allows it", () => {
    expect(problem(strict, "http://hooks.example.com/pp")).toBe("must use https");
    expect(lax.parse("http://127.0.0.1:9000/pp")).toBe("http://127.0.0.1:9000/pp");
  });

  it("refuses other schemes, relative and overlong URLs, and credentials", () => {
    for (const bad of ["ftp://hooks.example.com/", "/hooks", "hooks.example.com", "", 42]) {
      expect(problem(lax, bad), String(bad)).toBeDefined();
    }
    expect(problem(strict, `https://hooks.example.com/${"a".repeat(2048)}`)).toMatch(/2048/);
    expect(problem(strict, "https://user:pass@hooks.example.com/")).toBe("must not contain credentials");
  });
});
