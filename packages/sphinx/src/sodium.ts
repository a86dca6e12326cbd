/**
 * Loads libsodium through the `sodium-native` package (N-API; its npm tarball carries prebuilt binaries for the
 * usual platforms, so nothing is compiled or downloaded at install). Loading never throws: when the package or its
 * binary for this platform is missing, `sodium` is undefined and the library runs on node:crypto alone.
 *
 * Only the handful of functions the fast path uses are typed here (the package ships no type declarations).
 */
import { createRequire } from "node:module";

export interface SodiumNative {
  /** q = X25519(clamp(n), p); throws when libsodium refuses (p of small order, or an all-zero result). */
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  /** q = X25519(clamp(n), 9). */
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
  /** c = m XOR ChaCha20(k, 64-bit nonce n, block counter from 0); c and m may be the same bytes. */
  crypto_stream_chacha20_xor(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  /** output = BLAKE2b(input, key) with the digest length |output| (16..64) and key length |key| (16..64). */
  crypto_generichash(output: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  /** out = SHA-256(input). */
  crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void;
}

function load(): { sodium?: SodiumNative; error?: string } {
  try {
    const required = createRequire(import.meta.url)("sodium-native") as Partial<SodiumNative>;
    const names = [
      "crypto_scalarmult",
      "crypto_scalarmult_base",
      "crypto_stream_chacha20_xor",
      "crypto_generichash",
      "crypto_hash_sha256",
    ] as const;
    for (const name of names) {
      if (typeof required[name] !== "function") return { error: `sodium-native has no ${name}` };
    }
    return { sodium: required as SodiumNative };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const loaded = load();

/** libsodium, or undefined when sodium-native cannot be loaded on this platform. */
export const sodium: SodiumNative | undefined = loaded.sodium;

/** Why sodium-native did not load (undefined when it did). */
export const sodiumLoadError: string | undefined = loaded.error;
