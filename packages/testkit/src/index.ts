/** Test kit: fixtures and helpers on the real local stack (never imitations of it). */

export { test } from "./fixtures.ts";
export * from "./stack.ts";
