import { createHash, hkdfSync, randomBytes } from "node:crypto";
import { addressFromSecretKey } from "@nym-ts/chain-client";

/**
 * Where every secret of a localnet comes from: one 32-byte master secret, and HKDF-SHA256 of it per key, labelled
 * with the key's place (`issuers/issuer0/chain.key`). `--seed S` makes the master secret sha256 of S, so two builds
 * with the same seed write the same keys (tests); without a seed it is 32 fresh random bytes, used and forgotten.
 */
export interface KeySource {
  /** True when the master secret came from a seed (the build is reproducible). */
  readonly seeded: boolean;
  /** `length` bytes for `label`; the same label always gives the same bytes. */
  bytes(label: string, length?: number): Uint8Array;
  /** A valid secp256k1 secret key for `label` (a chain or Ethereum account). */
  secp256k1(label: string): Uint8Array;
  /** A randomness source `(n) => bytes` for `label`, for a library that draws many times (the Coconut dealer). */
  rng(label: string): (n: number) => Uint8Array;
}

const SALT = Buffer.from("nym-localnet v1");

export function keySource(seed?: string): KeySource {
  const master =
    seed === undefined ? randomBytes(32) : createHash("sha256").update(`nym-localnet seed:${seed}`, "utf8").digest();
  const bytes = (label: string, length = 32): Uint8Array =>
    new Uint8Array(hkdfSync("sha256", master, SALT, Buffer.from(label, "utf8"), length));
  return {
    seeded: seed !== undefined,
    bytes,
    secp256k1(label) {
      // A 32-byte string is a valid secret key unless it is 0 or >= the group order (about 2^-128 of them).
      for (let attempt = 0; ; attempt++) {
        const key = bytes(attempt === 0 ? label : `${label}#${attempt}`);
        try {
          addressFromSecretKey(key);
          return key;
        } catch {
          if (attempt > 8) throw new Error(`no secp256k1 key for ${label}`);
        }
      }
    },
    rng(label) {
      let counter = 0;
      return (n) => {
        // HKDF gives at most 255 * 32 bytes per label; the dealer asks for 48 at a time.
        const out = new Uint8Array(n);
        for (let offset = 0; offset < n; offset += 8160) {
          out.set(bytes(`${label}/${counter++}`, Math.min(8160, n - offset)), offset);
        }
        return out;
      };
    },
  };
}
