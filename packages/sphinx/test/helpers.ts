import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  generateKeyPair,
  getSphinxBackend,
  getSphinxKeyDerivation,
  type KeyDerivationName,
  type KeyPair,
  type RandomSource,
  type RouteNode,
  type SphinxBackendName,
  setSphinxBackend,
  setSphinxKeyDerivation,
} from "../src/index.js";

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

/**
 * The backends every run must exercise: "node" always, and "sodium" wherever sodium-native ships a prebuilt binary for
 * this platform (so a broken install fails the tests instead of silently testing node:crypto twice).
 */
export function expectedBackends(): SphinxBackendName[] {
  const root = dirname(createRequire(import.meta.url).resolve("sodium-native/package.json"));
  return existsSync(join(root, "prebuilds", `${process.platform}-${process.arch}`)) ? ["node", "sodium"] : ["node"];
}

/** Runs `f` with the given backend active, then restores the previous one. */
export function withBackend<T>(name: SphinxBackendName, f: () => T): T {
  const previous = getSphinxBackend();
  setSphinxBackend(name);
  try {
    return f();
  } finally {
    setSphinxBackend(previous);
  }
}

/**
 * The key derivations every run must exercise: "js" always, and "native" when scripts/bootstrap.sh has linked the
 * addon (so a broken build fails the tests instead of silently testing the JS path twice).
 */
export function expectedKeyDerivations(): KeyDerivationName[] {
  return existsSync(new URL("../native/build/nym_sphinx_native.node", import.meta.url)) ? ["js", "native"] : ["js"];
}

/** Every backend with every key derivation: the combinations the vector suites run. */
export function expectedPaths(): { backend: SphinxBackendName; kdf: KeyDerivationName }[] {
  return expectedBackends().flatMap((backend) => expectedKeyDerivations().map((kdf) => ({ backend, kdf })));
}

/** Makes `backend` and `kdf` active; returns a function that restores the previous ones. */
export function usePath(backend: SphinxBackendName, kdf: KeyDerivationName): () => void {
  const previous = { backend: getSphinxBackend(), kdf: getSphinxKeyDerivation() };
  setSphinxBackend(backend);
  setSphinxKeyDerivation(kdf);
  return () => {
    setSphinxBackend(previous.backend);
    setSphinxKeyDerivation(previous.kdf);
  };
}
