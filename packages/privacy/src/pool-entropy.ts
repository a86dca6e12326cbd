import { type Random, sampleExponential } from "@nym-ts/mixnet";
import type { ObservedNetwork } from "./analysis.js";

/**
 * The Loopix paper's single-mix entropy metric (Piotrowska et al., USENIX Security 2017, Appendix A.1; the metric of
 * its Figure 4), from the counts alone.
 *
 * A Poisson mix (exponential delays) watched continuously leaks only how many messages are inside (Theorem 1): every
 * message inside is equally likely to be the next one out. Take the moment a message leaves: `l` messages were inside
 * already at the previous departure (the pool from previous rounds), `k` arrived since. The outgoing message is one of
 * the `k` new ones with probability `k/(k+l)` (each equally), else one of the pool, whose distribution over past inputs
 * is the previous one's (a departure of a uniformly chosen member leaves a random remaining member's distribution as it
 * was). So its entropy over all past inputs is, incrementally,
 *
 *   H_t = H({k/(k+l), l/(k+l)}) + (k/(k+l)) log2 k + (l/(k+l)) H_{t-1},   H_0 = 0,
 *
 * in bits. It depends on the order of arrivals and departures only, not on the delays or the times.
 *
 * With mix loops (Theorem 2: a mix creating its own messages at rate lambdaM, delay rate mu) an output is a fresh loop
 * with probability `lambdaM / ((l+k) mu + lambdaM)`: the output's entropy is that share's binary entropy plus the
 * rest times the pool's. The pool (every past input) is unchanged by it.
 */

/** Binary entropy of `{p, 1 - p}`, bits. */
function binaryEntropy(p: number): number {
  if (p <= 0 || p >= 1) return 0;
  return -p * Math.log2(p) - (1 - p) * Math.log2(1 - p);
}

/**
 * One step of the Appendix A.1 recursion: the entropy once `k` new arrivals joined a pool of `l` of entropy `previous`.
 */
export function poolEntropyStep(l: number, k: number, previous: number): number {
  const n = l + k;
  if (n <= 0) return 0;
  if (k <= 0) return previous;
  const q = k / n;
  return binaryEntropy(q) + q * Math.log2(k) + (1 - q) * previous;
}

/**
 * The incremental metric over one mix's events: `arrive()` for each packet in, `depart()` for each packet out, in time
 * order; `depart` returns the outgoing packet's entropy over the past inputs, bits.
 */
export class PoolEntropy {
  /** Messages inside since before the last departure (`l`). */
  private earlier = 0;
  /** Arrivals since the last departure (`k`). */
  private fresh = 0;
  /** Entropy of a random pool member's distribution over past inputs. */
  private entropy = 0;
  /** Packets that left an empty pool (a mix's own loops) whose return is still to come. */
  private owed = 0;

  /** Messages inside now (as counted: never below 0). */
  get inside(): number {
    return this.earlier + this.fresh;
  }

  arrive(count = 1): void {
    // An arrival that settles a departure from an empty pool (`depart(..., true, true)`) is taken as that packet's
    // return (a mix loop ends at its mix), not as a new input.
    const settled = Math.min(count, this.owed);
    this.owed -= settled;
    this.fresh += count - settled;
  }

  /**
   * A packet leaves. `loopRatio` is lambdaM / mu of the mix's own loops (0: none, the Appendix A.1 metric): the
   * output is a fresh loop with probability `loopRatio / (inside + loopRatio)`. `real` (default true) says a pool
   * message left (false: it was one of the mix's own loops, the pool keeps its size). From an empty pool the output
   * is the mix's own (0 bits) and nothing is taken out; with `owe` the next arrival is then taken for its return
   * (a recorded mix loop comes back to its mix and ends there) instead of a new input, so counts from traces, where
   * loops cannot be told from other packets, do not drift upward.
   */
  depart(loopRatio = 0, real = true, owe = false): number {
    const n = this.inside;
    if (n <= 0) {
      if (owe) this.owed++;
      return 0;
    }
    if (this.fresh > 0) {
      // The new arrivals join the pool: a random member is one of them with probability k / (k + l).
      this.entropy = poolEntropyStep(this.earlier, this.fresh, this.entropy);
      this.earlier = n;
      this.fresh = 0;
    }
    const loop = loopRatio > 0 ? loopRatio / (n + loopRatio) : 0;
    if (real) this.earlier = n - 1;
    return binaryEntropy(loop) + (1 - loop) * this.entropy;
  }
}

/** The metric over a sequence of "in" / "out" events (outs from an empty mix give 0); one entropy per "out", bits. */
export function poolEntropies(sequence: Iterable<"in" | "out">): number[] {
  const pool = new PoolEntropy();
  const out: number[] = [];
  for (const e of sequence) {
    if (e === "in") pool.arrive();
    else out.push(pool.depart());
  }
  return out;
}

/** What one simulated Poisson mix gave. */
export interface PoissonMixResult {
  /** Mean entropy of the outputs in the measured window, bits (the Figure 4 value). */
  meanEntropy: number;
  /** Outputs in the window. */
  departures: number;
  /** Mean number of messages inside at those outputs (before each left). */
  meanInside: number;
}

export interface PoissonMixOptions {
  /** Incoming messages per second (Poisson). */
  lambda: number;
  /** Delay rate per second: each message stays an exponential time of mean 1/mu. */
  mu: number;
  /** The mix's own loops per second (lambdaM; default 0). */
  loopRate?: number;
  /** Seconds simulated before the window (default 5/mu: the pool is at steady state). */
  warmupS?: number;
  /** Seconds measured (default max(10/mu, 20,000/lambda): several mean delays and enough outputs). */
  measureS?: number;
  random: Random;
}

/**
 * The paper's Figure 4 experiment: one mix, Poisson arrivals at `lambda`, exponential delays of mean 1/mu (optional
 * loops at `loopRate`), from empty; the mean entropy of the outputs after the warm-up.
 */
export function simulatePoissonMix(o: PoissonMixOptions): PoissonMixResult {
  if (!(o.lambda > 0) || !(o.mu > 0)) throw new RangeError("lambda and mu must be positive");
  const loopRate = o.loopRate ?? 0;
  const warmup = o.warmupS ?? 5 / o.mu;
  const measure = o.measureS ?? Math.max(10 / o.mu, 20_000 / o.lambda);
  const end = warmup + measure;
  const arrivals: number[] = [];
  for (let t = sampleExponential(1 / o.lambda, o.random); t < end; t += sampleExponential(1 / o.lambda, o.random)) {
    arrivals.push(t);
  }
  const departures = Float64Array.from(arrivals, (t) => t + sampleExponential(1 / o.mu, o.random)).sort();
  const pool = new PoolEntropy();
  const loopRatio = loopRate / o.mu;
  let nextLoop = loopRate > 0 ? sampleExponential(1 / loopRate, o.random) : Number.POSITIVE_INFINITY;
  let a = 0;
  let d = 0;
  let sum = 0;
  let count = 0;
  let insideSum = 0;
  for (;;) {
    const ta = a < arrivals.length ? (arrivals[a] as number) : Number.POSITIVE_INFINITY;
    const td = d < departures.length ? (departures[d] as number) : Number.POSITIVE_INFINITY;
    const t = Math.min(ta, td, nextLoop);
    if (t >= end) break;
    if (t === ta) {
      pool.arrive();
      a++;
      continue;
    }
    const inside = pool.inside;
    let h: number;
    if (t === td) {
      h = pool.depart(loopRatio, true);
      d++;
    } else {
      h = pool.depart(loopRatio, false);
      nextLoop += sampleExponential(1 / loopRate, o.random);
    }
    if (t >= warmup) {
      sum += h;
      insideSum += inside;
      count++;
    }
  }
  return { meanEntropy: count > 0 ? sum / count : 0, departures: count, meanInside: count > 0 ? insideSum / count : 0 };
}

/** The steady-state value for a large pool: log2(e lambda / mu) (inputs weighted exp(-mu d), rate lambda). */
export function largePoolEntropy(lambda: number, mu: number): number {
  return Math.log2((Math.E * lambda) / mu);
}

/** One mix of a recorded (or simulated) network under the metric. */
export interface MixPoolEntropy {
  id: string;
  layer: number;
  /** Packets out in the window. */
  departures: number;
  /** Mean entropy of those packets over the mix's past inputs, bits. */
  meanEntropy: number;
  /** Mean number of packets inside at those departures (counted: inputs less outputs). */
  meanInside: number;
  /** Packets in per second over the window (the paper's lambda for this mix). */
  arrivalRate: number;
}

export interface PoolEntropyWindow {
  /** Departures before this time are not averaged (the warm-up; default the network's first event + 1 s). */
  fromMs?: number;
  /** Nor after it (default each mix's last arrival: the drain after the sending stops). */
  toMs?: number;
}

/**
 * The metric applied to every mix of an observed network: each link event into a mix is an arrival, each out of it a
 * departure, in time order (all packets alike: the metric cannot tell cover). A mix's own loop leaves before it comes
 * back and ends there, so its departure and return are one packet too many each: a departure from an empty mix
 * (certainly the mix's own, 0 bits) takes the next arrival for its return; one from a non-empty mix counts as a pool
 * message (the count is one short until the return).
 */
export function poolEntropyByMix(network: ObservedNetwork, window: PoolEntropyWindow = {}): MixPoolEntropy[] {
  const first = network.events[0]?.at ?? 0;
  const from = window.fromMs ?? first + 1000;
  const lastArrival = new Map<string, number>();
  for (const e of network.events) if (typeof network.nodes.get(e.to) === "number") lastArrival.set(e.to, e.at);
  const state = new Map<string, { pool: PoolEntropy; sum: number; count: number; inside: number; arrivals: number }>();
  for (const [id, role] of network.nodes) {
    if (role !== "gateway") state.set(id, { pool: new PoolEntropy(), sum: 0, count: 0, inside: 0, arrivals: 0 });
  }
  const until = (id: string) => window.toMs ?? lastArrival.get(id) ?? Number.POSITIVE_INFINITY;
  for (const e of network.events) {
    const into = state.get(e.to);
    if (into) {
      into.pool.arrive();
      if (e.at >= from && e.at <= until(e.to)) into.arrivals++;
    }
    const out = state.get(e.from);
    if (out) {
      const inside = out.pool.inside;
      const h = out.pool.depart(0, true, true);
      if (e.at >= from && e.at <= until(e.from)) {
        out.sum += h;
        out.inside += inside;
        out.count++;
      }
    }
  }
  return [...state.entries()]
    .map(([id, s]) => {
      const seconds = Math.max(0, until(id) - from) / 1000;
      return {
        id,
        layer: network.nodes.get(id) as number,
        departures: s.count,
        meanEntropy: s.count > 0 ? s.sum / s.count : 0,
        meanInside: s.count > 0 ? s.inside / s.count : 0,
        arrivalRate: seconds > 0 ? s.arrivals / seconds : 0,
      };
    })
    .sort((a, b) => a.layer - b.layer || (a.id < b.id ? -1 : 1));
}

/** Per mix layer: the mixes' figures, each weighted by its departures (arrival rates averaged over the mixes). */
export function poolEntropyByLayer(mixes: readonly MixPoolEntropy[]): Omit<MixPoolEntropy, "id">[] {
  const layers = [...new Set(mixes.map((m) => m.layer))].sort((a, b) => a - b);
  return layers.map((layer) => {
    const list = mixes.filter((m) => m.layer === layer);
    const departures = list.reduce((s, m) => s + m.departures, 0);
    const weighted = (f: (m: MixPoolEntropy) => number) =>
      departures > 0 ? list.reduce((s, m) => s + f(m) * m.departures, 0) / departures : 0;
    return {
      layer,
      departures,
      meanEntropy: weighted((m) => m.meanEntropy),
      meanInside: weighted((m) => m.meanInside),
      arrivalRate: list.reduce((s, m) => s + m.arrivalRate, 0) / Math.max(1, list.length),
    };
  });
}
