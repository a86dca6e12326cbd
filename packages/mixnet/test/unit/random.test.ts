import { describe, expect, it } from "vitest";
import { PoissonStream } from "../../src/poisson.js";
import { cryptoRandom, pick, sampleExponential, seededRandom } from "../../src/random.js";

describe("exponential delays and Poisson streams", () => {
  it("draws exponential samples whose mean and spread match the configured mean", () => {
    const random = seededRandom(7);
    const n = 50_000;
    const samples = Array.from({ length: n }, () => sampleExponential(20, random));
    const mean = samples.reduce((a, b) => a + b, 0) / n;
    const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(mean).toBeGreaterThan(19.5);
    expect(mean).toBeLessThan(20.5);
    // An exponential's standard deviation equals its mean.
    expect(Math.sqrt(variance)).toBeGreaterThan(19);
    expect(Math.sqrt(variance)).toBeLessThan(21);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
  });

  it("gives 0 for a mean of 0 and rejects a negative or infinite mean", () => {
    expect(sampleExponential(0)).toBe(0);
    expect(() => sampleExponential(-1)).toThrow(RangeError);
    expect(() => sampleExponential(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("draws uniform [0,1) numbers from the CSPRNG", () => {
    const xs = Array.from({ length: 20_000 }, cryptoRandom);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });

  it("picks every element of a list and refuses an empty one", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(pick([1, 2, 3]));
    expect([...seen].sort()).toEqual([1, 2, 3]);
    expect(() => pick([])).toThrow(RangeError);
  });

  it("ticks a Poisson stream at roughly its rate and stops when asked", async () => {
    let ticks = 0;
    const stream = new PoissonStream(200, () => ticks++);
    stream.start();
    await new Promise((r) => setTimeout(r, 500));
    stream.stop();
    const atStop = ticks;
    // 100 expected; a loose band because timers on a loaded shared machine run late (never early).
    expect(atStop).toBeGreaterThan(15);
    expect(atStop).toBeLessThan(160);
    await new Promise((r) => setTimeout(r, 50));
    expect(ticks).toBe(atStop);
  });

  it("never ticks a stream of rate 0", async () => {
    let ticks = 0;
    const stream = new PoissonStream(0, () => ticks++);
    stream.start();
    await new Promise((r) => setTimeout(r, 30));
    expect(ticks).toBe(0);
  });
});
