import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { fetchFailureReason } from "./fetch-failure.ts";

describe("fetchFailureReason", () => {
  it("names the socket error behind fetch's bare 'fetch failed'", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await fetch(`http://127.0.0.1:${port}/`).then(
      () => expect.fail("nothing listens there"),
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe("fetch failed");
    expect(fetchFailureReason(err)).toBe("ECONNREFUSED");
  });

  it("falls back to the cause's message, then the error's own, then the value", () => {
    expect(fetchFailureReason(new Error("outer", { cause: new Error("inner") }))).toBe("inner");
    expect(fetchFailureReason(new Error("only"))).toBe("only");
    expect(fetchFailureReason("a string")).toBe("a string");
    expect(fetchFailureReason(null)).toBe("null");
  });
});
