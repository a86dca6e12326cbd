import { seededRandom } from "@nym-ts/mixnet";
import { describe, expect, it } from "vitest";
import { entropyBits } from "../../src/analysis.js";
import {
  largePoolEntropy,
  PoolEntropy,
  poolEntropies,
  poolEntropyByLayer,
  poolEntropyByMix,
  poolEntropyStep,
  simulatePoissonMix,
} from "../../src/pool-entropy.js";
import { simulateNetwork } from "../../src/simulate.js";

/**
 * Theorem 1 by brute force: the adversary's probability that each past input is still inside (1 at arrival); at a
 * departure with n inside, the output is input i with probability w_i / n, then w_i *= 1 - 1/n. With loops (ratio r =
 * lambdaM / mu) an output is fresh with probability r / (n + r), the inputs share the rest; a loop takes nothing out.
 */
function bruteForce(sequence: readonly ("in" | "out" | "loop")[], loopRatio = 0): number[] {
  const w: number[] = [];
  const out: number[] = [];
  let inside = 0;
  for (const e of sequence) {
    if (e === "in") {
      w.push(1);
      inside++;
      continue;
    }
    if (inside === 0) {
      out.push(0);
      continue;
    }
    const fresh = loopRatio > 0 ? loopRatio / (inside + loopRatio) : 0;
    const total = w.reduce((s, x) => s + x, 0);
    out.push(entropyBits([...w.map((x) => ((1 - fresh) * x) / total), fresh]));
    if (e === "out") {
      for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) * (1 - 1 / inside);
      inside--;
    }
  }
  return out;
}

const parse = (s: string) =>
  [...s].map((c) => (c === "i" ? "in" : c === "o" ? "out" : "loop")) as ("in" | "out" | "loop")[];

describe("the Appendix A.1 pool entropy", () => {
  it("takes one step as H({k/(k+l), l/(k+l)}) + k/(k+l) log2 k + l/(k+l) H_prev", () => {
    expect(poolEntropyStep(0, 4, 7)).toBeCloseTo(2, 12); // a fresh pool of 4: 2 bits, the past forgotten
    expect(poolEntropyStep(3, 0, 1.25)).toBe(1.25); // nothing new: unchanged
    // One new beside one old of 1 bit: 1 + 0.5 * 0 + 0.5 * 1.
    expect(poolEntropyStep(1, 1, 1)).toBeCloseTo(1.5, 12);
    expect(poolEntropyStep(0, 0, 3)).toBe(0);
  });

  it("equals the entropy of the Theorem 1 distribution tracked input by input", () => {
    for (const s of ["iio", "iiioioo", "iiiiooioiiiooooo", "ioioioiio", "oiiioooiiiiiiooioiooooiiooo", "iiooo"]) {
      const seq = parse(s).filter((e): e is "in" | "out" => e !== "loop");
      const fast = poolEntropies(seq);
      const slow = bruteForce(seq);
      expect(fast).toHaveLength(slow.length);
      fast.forEach((h, k) => {
        expect(h).toBeCloseTo(slow[k] as number, 10);
      });
    }
    // The first case by hand: two inputs, one out: 1 bit.
    expect(poolEntropies(parse("iio") as ("in" | "out")[])).toEqual([1]);
  });

  it("equals the brute force on random sequences, and with mix loops (Theorem 2's share)", () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 40; trial++) {
      const seq: ("in" | "out" | "loop")[] = [];
      let inside = 0;
      for (let k = 0; k < 60; k++) {
        const x = random();
        const e = x < 0.5 ? "in" : x < 0.85 || inside === 0 ? "out" : "loop";
        if (e === "in") inside++;
        else if (e === "out" && inside > 0) inside--;
        seq.push(e);
      }
      const ratio = trial % 2 === 0 ? 0 : 0.3 + random() * 3;
      const pool = new PoolEntropy();
      const fast: number[] = [];
      for (const e of seq) {
        if (e === "in") pool.arrive();
        else fast.push(pool.depart(ratio, e === "out"));
      }
      const slow = bruteForce(seq, ratio);
      fast.forEach((h, k) => {
        expect(h).toBeCloseTo(slow[k] as number, 9);
      });
    }
  });
});

describe("one Poisson mix (the paper's Figure 4 experiment)", () => {
  // For a large pool the inputs are weighted exp(-mu d) at rate lambda: H -> log2(e lambda / mu), log2 e = 1.44 bits
  // above log2 of the mean pool lambda / mu.
  it("reaches log2(e lambda / mu) at steady state within 0.1 bit", () => {
    for (const [lambda, mu, seed] of [
      [100, 1, 1],
      [300, 0.5, 2],
      [50, 0.1, 3],
    ] as const) {
      const r = simulatePoissonMix({ lambda, mu, random: seededRandom(seed) });
      expect(r.departures).toBeGreaterThan(5000);
      expect(Math.abs(r.meanEntropy - largePoolEntropy(lambda, mu))).toBeLessThan(0.1);
      expect(r.meanEntropy).toBeGreaterThan(Math.log2(lambda / mu) + 1);
      // The pool at the outputs is about lambda / mu (+1: an output is seen with at least one inside).
      expect(Math.abs(r.meanInside - lambda / mu - 1) / (lambda / mu)).toBeLessThan(0.1);
    }
  });

  it("grows with the incoming rate at a fixed delay, and with the delay at a fixed rate", () => {
    const h = (lambda: number, mu: number) =>
      simulatePoissonMix({ lambda, mu, random: seededRandom(lambda + mu) }).meanEntropy;
    for (const mu of [200, 2]) {
      const row = [100, 300, 500].map((lambda) => h(lambda, mu));
      expect(row[1]).toBeGreaterThan(row[0] as number);
      expect(row[2]).toBeGreaterThan(row[1] as number);
    }
    const column = [200, 20, 2].map((mu) => h(100, mu));
    expect(column[1]).toBeGreaterThan((column[0] as number) + 2);
    expect(column[2]).toBeGreaterThan((column[1] as number) + 2);
  });

  it("gives the mix's own loops a share that adds entropy to a thin pool", () => {
    const base = { lambda: 20, mu: 20, measureS: 500 };
    const plain = simulatePoissonMix({ ...base, random: seededRandom(5) });
    const looped = simulatePoissonMix({ ...base, loopRate: 10, random: seededRandom(5) });
    expect(looped.meanEntropy).toBeGreaterThan(plain.meanEntropy + 0.1);
  });
});

describe("on a network's mixes", () => {
  it("counts each mix's link events in and out, in time order", () => {
    const nodes = new Map<string, number | "gateway">([
      ["G", "gateway"],
      ["M", 1],
    ]);
    const at = [0, 1, 2, 3, 5, 6];
    const dirs = ["GM", "GM", "MG", "GM", "MG", "MG"];
    const events = at.map((t, k) => ({
      at: t,
      from: (dirs[k] as string)[0] as string,
      to: (dirs[k] as string)[1] as string,
      size: 1,
    }));
    const [m] = poolEntropyByMix({ nodes, events }, { fromMs: 0, toMs: 10 });
    const expected = poolEntropies(["in", "in", "out", "in", "out", "out"]);
    expect(m?.departures).toBe(3);
    expect(m?.meanEntropy).toBeCloseTo(expected.reduce((s, x) => s + x, 0) / 3, 12);
    expect(m?.meanInside).toBeCloseTo((2 + 2 + 1) / 3, 12);
    expect(m?.arrivalRate).toBeCloseTo(3 / 0.01, 9);
  });

  it("gives the mixes of an ideal network what one Poisson mix at the same rates gives, mix loops included", () => {
    for (const meanDelayMs of [10, 50]) idealAgainstSingle(meanDelayMs);
  });

  function idealAgainstSingle(meanDelayMs: number) {
    const { network } = simulateNetwork({
      clients: 20,
      gateways: 2,
      layers: 3,
      mixesPerLayer: 2,
      durationMs: 60_000,
      meanDelayMs,
      messageRate: 1,
      lambdaP: 4,
      lambdaD: 2,
      lambdaL: 2,
      // A mix's own loops leave it and end there: counted naively they would leave phantoms in the pool.
      mixLoopRate: 2,
      latencyMs: 0.5,
      random: seededRandom(9),
    });
    const layers = poolEntropyByLayer(poolEntropyByMix(network, { fromMs: 2000, toMs: 58_000 }));
    expect(layers.map((l) => l.layer)).toEqual([1, 2, 3]);
    for (const l of layers) {
      const single = simulatePoissonMix({
        lambda: l.arrivalRate,
        mu: 1000 / meanDelayMs,
        random: seededRandom(l.layer),
      });
      expect(l.arrivalRate).toBeGreaterThan(40); // 20 clients x (4 + 2 + 2) packets/s over 2 mixes a layer: ~80
      expect(Math.abs(l.meanEntropy - single.meanEntropy)).toBeLessThan(0.15);
    }
  }
});
