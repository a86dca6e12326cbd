import { createHash } from "node:crypto";
import { generateKeyPair, type KeyPair, type RandomSource, type RouteNode } from "../src/index.js";

/** Deterministic random source for vectors and reproducible tests: SHA-256(seed || counter) blocks. */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const block = createHash("sha256").update(`${seed}/${counter++}`).digest();
      const take = Math.min(block.length, length - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
    }
    return out;
  };
}

export function makeRoute(hops: number, random: RandomSource): { keys: KeyPair[]; route: RouteNode[] } {
  const keys = Array.from({ length: hops }, () => generateKeyPair(random));
  const route = keys.map((k, i) => ({ address: new Uint8Array(32).fill(0x10 + i), publicKey: k.publicKey }));
  return { keys, route };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));
