import { randomBytes } from "node:crypto";

/** A source of uniform numbers in [0, 1). Injected so tests can pin choices; the default is the OS CSPRNG. */
export type Random = () => number;

const POOL_WORDS = 1024;
let pool = new Uint32Array(0);
let poolIndex = 0;

/**
 * Uniform [0, 1) from the OS CSPRNG, 32 bits per draw, refilled 4 KiB at a time. Delays and routes must not be
 * predictable to an observer, so Math.random is never used for them.
 */
export const cryptoRandom: Random = () => {
  if (poolIndex >= pool.length) {
    const bytes = randomBytes(POOL_WORDS * 4);
    pool = new Uint32Array(bytes.buffer, bytes.byteOffset, POOL_WORDS);
    poolIndex = 0;
  }
  return (pool[poolIndex++] as number) / 2 ** 32;
};

/** A deterministic generator (mulberry32) for tests only. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** One draw of an exponential distribution with the given mean (same unit as the mean). */
export function sampleExponential(mean: number, random: Random = cryptoRandom): number {
  if (!(mean >= 0) || !Number.isFinite(mean)) throw new RangeError(`mean must be finite and >= 0, got ${mean}`);
  if (mean === 0) return 0;
  return -mean * Math.log(1 - random());
}

/** A uniformly chosen element; throws on an empty list. */
export function pick<T>(items: readonly T[], random: Random = cryptoRandom): T {
  if (items.length === 0) throw new RangeError("cannot pick from an empty list");
  return items[Math.floor(random() * items.length)] as T;
}
