import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/index.js";

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap, with jitter between half and all of it", () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffDelay(1_000, 100, 10_000, () => 0.5)).toBe(7_500);
  });
});
