import { test as stackTest } from "@postprocess/testkit";
import { describe, expect, test } from "vitest";
import { IntervalMsType, parseIntervalMs } from "./interval-ms.ts";
import { createOrm } from "./orm.ts";

describe("parseIntervalMs", () => {
  test.each([
    ["00:00:00", 0],
    ["00:00:01.5", 1500],
    ["00:00:00.000123", 0.123],
    ["-00:00:01.25", -1250],
    ["25:00:00", 90_000_000],
    ["3 days", 3 * 86_400_000],
    ["1 day 02:03:04", 86_400_000 + 7_384_000],
    ["-1 days +02:00:00", -86_400_000 + 7_200_000],
    ["1 year 2 mons", 365.25 * 86_400_000 + 60 * 86_400_000],
    ["PT1.5S", 1500],
    ["P1DT2H3M4S", 86_400_000 + 7_384_000],
    ["PT0S", 0],
  ])("%s → %d ms", (text, ms) => {
    expect(parseIntervalMs(text)).toBe(ms);
  });

  test.each(["", "P", "1 hour", "@ 1 sec", "1 2:03:04"])("refuses %j", (text) => {
    expect(() => parseIntervalMs(text)).toThrow(/unsupported interval format/);
  });
});

describe("IntervalMsType", () => {
  const type = new IntervalMsType();

  test("writes whole microseconds and passes null through", () => {
    expect(type.convertToDatabaseValue(1500)).toBe("1500000 microseconds");
    expect(type.convertToDatabaseValue(0.0015)).toBe("2 microseconds");
    expect(type.convertToDatabaseValue(null)).toBeNull();
    expect(() => type.convertToDatabaseValue(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

// PostgreSQL is the authority on its own output: what it prints, in both styles the parser accepts, must
// parse to what it computes itself with EXTRACT(EPOCH FROM …).
stackTest("parses what PostgreSQL prints, in both IntervalStyles", async ({ databaseUrl }) => {
  const samples = [
    "0",
    "1.5 seconds",
    "123 microseconds",
    "-90 minutes",
    "27 hours",
    "2 days 3 hours",
    "1 mon",
  ];
  const orm = createOrm({ clientUrl: databaseUrl });
  try {
    for (const style of ["postgres", "iso_8601"]) {
      // SET LOCAL inside a transaction: the style applies to this connection only, and only until commit.
      await orm.em.fork().transactional(async (em) => {
        await em.execute(`SET LOCAL IntervalStyle = ${style}`);
        for (const sample of samples) {
          const [row] = await em.execute<{ text: string; ms: string }[]>(
            "SELECT ?::interval::text AS text, (EXTRACT(EPOCH FROM ?::interval) * 1000)::text AS ms",
            [sample, sample],
          );
          // Proves SET LOCAL took effect, so both styles really are exercised.
          expect(row!.text.startsWith("P")).toBe(style === "iso_8601");
          expect(parseIntervalMs(row!.text), `${style}: ${row!.text}`).toBe(Number(row!.ms));
        }
      });
    }
  } finally {
    await orm.close();
  }
});
