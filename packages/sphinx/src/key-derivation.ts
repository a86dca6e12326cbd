/**
 * The per-hop key derivation, on two paths that give the same bytes (tests run the vectors and nym's interop vectors
 * on both):
 * - "native" (default when it loads): this package's N-API addon, `native/` (Rust: RustCrypto's `hkdf` and `sha2`,
 *   whose SHA-256 runs on the CPU's SHA extensions where present), built and linked by scripts/bootstrap.sh. One
 *   call writes a hop's 288-byte expanded secret and, for 259/260, the 192-byte payload key derived from its seed.
 * - "js" (NYM_SPHINX_KDF=js, or when the addon is not built or fails its known answer): node:crypto's `hkdfSync` for
 *   the 288 bytes and our SHA-256 compression in JavaScript for the payload key (primitives.ts).
 *
 * Why: `hkdfSync` spends ~4.5 us of fixed native setup per call before hashing (7-8 us for the 288 bytes), and the
 * payload key costs ~5 us more in JavaScript; the addon does both HKDFs in ~3 us, call included, and the 288 bytes
 * alone in ~2 us (`pnpm bench`, "key derivation"; the README has the figures). The output array is passed in: a
 * Buffer returned by the addon cost ~0.8 us more per call. Results are views into a shared 8160-byte slab (17 hops'
 * worth), so a kept secret keeps at most that slab alive.
 *
 * A node processing a packet learns the version only after the 288 bytes (it is inside the encrypted routing block),
 * so on the native path it asks for the payload key up front (`eagerPayloadKey`): +1 us for a 258 hop, and every
 * version then costs the same. On the JS path the payload key stays lazy (computed only for 259/260).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import {
  EXPANDED_SECRET_LENGTH,
  OFFSET_PAYLOAD_KEY,
  PAYLOAD_KEY_LENGTH,
  PAYLOAD_KEY_SEED_LENGTH,
} from "./constants.js";
import { SphinxError } from "./errors.js";
import { derivePayloadKey, expandSharedSecret } from "./primitives.js";

/** The N-API surface of native/src/lib.rs (which documents each function). */
export interface SphinxAddon {
  /** out[0..288) = the expanded secret; with `withPayloadKey`, out[288..480) = the payload key of its seed. */
  deriveHopKeys(sharedSecret: Uint8Array, withPayloadKey: boolean, out: Uint8Array): void;
  /** out[0..192) = the payload key of a 16-byte seed. */
  derivePayloadKey(seed: Uint8Array, out: Uint8Array): void;
  /** Whether SHA-256 runs on the CPU's SHA extensions. */
  shaExtensions(): boolean;
}

export type KeyDerivationName = "native" | "js";

export interface KeyDerivation {
  readonly name: KeyDerivationName;
  /**
   * A hop's key material from its 32-byte shared secret: the 288-byte expanded secret, followed at
   * EXPANDED_SECRET_LENGTH by the 192-byte payload key when `withPayloadKey` (480 bytes then).
   */
  hopKeys(sharedSecret: Uint8Array, withPayloadKey: boolean): Uint8Array;
  /** The 192-byte payload key (259, 260) of a 16-byte seed. */
  payloadKey(seed: Uint8Array): Uint8Array;
  /** Whether a processing node should ask for the payload key before it knows the version (cheap here). */
  readonly eagerPayloadKey: boolean;
}

/** Where scripts/bootstrap.sh links the built addon (relative to this file in src/ and in dist/). */
const ADDON = new URL("../native/build/nym_sphinx_native.node", import.meta.url);

export const HOP_KEYS_LENGTH = EXPANDED_SECRET_LENGTH + PAYLOAD_KEY_LENGTH;

export const jsKeyDerivation: KeyDerivation = {
  name: "js",
  hopKeys(sharedSecret, withPayloadKey) {
    const expanded = expandSharedSecret(sharedSecret);
    if (!withPayloadKey) return expanded;
    const out = new Uint8Array(HOP_KEYS_LENGTH);
    out.set(expanded);
    derivePayloadKey(
      expanded.subarray(OFFSET_PAYLOAD_KEY, OFFSET_PAYLOAD_KEY + PAYLOAD_KEY_SEED_LENGTH),
      out.subarray(EXPANDED_SECRET_LENGTH),
    );
    return out;
  },
  payloadKey: (seed) => derivePayloadKey(seed),
  eagerPayloadKey: false,
};

const SLAB_LENGTH = 17 * HOP_KEYS_LENGTH;

function nativeKeyDerivation(addon: SphinxAddon): KeyDerivation {
  let slab = new Uint8Array(SLAB_LENGTH);
  let used = 0;
  const take = (length: number): Uint8Array => {
    if (used + length > SLAB_LENGTH) {
      slab = new Uint8Array(SLAB_LENGTH);
      used = 0;
    }
    const out = slab.subarray(used, used + length);
    used += length;
    return out;
  };
  return {
    name: "native",
    hopKeys(sharedSecret, withPayloadKey) {
      if (sharedSecret.length !== 32) {
        throw new SphinxError("SPHINX_ERROR_INVALID_ARGUMENT", "a shared secret has 32 bytes");
      }
      const out = take(withPayloadKey ? HOP_KEYS_LENGTH : EXPANDED_SECRET_LENGTH);
      addon.deriveHopKeys(sharedSecret, withPayloadKey, out);
      return out;
    },
    payloadKey(seed) {
      if (seed.length !== PAYLOAD_KEY_SEED_LENGTH) {
        throw new SphinxError("SPHINX_ERROR_INVALID_ARGUMENT", "a payload key seed has 16 bytes");
      }
      const out = take(PAYLOAD_KEY_LENGTH);
      addon.derivePayloadKey(seed, out);
      return out;
    },
    eagerPayloadKey: true,
  };
}

/**
 * The addon passes a known answer: its hop keys and payload key of fixed inputs equal the JS path's (hkdfSync and
 * our SHA-256, themselves pinned by the vectors). Exported for tests.
 */
export function addonSelfTest(addon: SphinxAddon): boolean {
  const shared = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
  const expected = jsKeyDerivation.hopKeys(shared, true);
  const out = new Uint8Array(HOP_KEYS_LENGTH);
  addon.deriveHopKeys(shared, true, out);
  const seed = shared.subarray(0, PAYLOAD_KEY_SEED_LENGTH);
  const key = new Uint8Array(PAYLOAD_KEY_LENGTH);
  addon.derivePayloadKey(seed, key);
  return (
    Buffer.compare(Buffer.from(out), Buffer.from(expected)) === 0 &&
    Buffer.compare(Buffer.from(key), Buffer.from(derivePayloadKey(seed))) === 0
  );
}

function loadAddon(): { addon?: SphinxAddon; error?: string } {
  try {
    const path = fileURLToPath(ADDON);
    if (!existsSync(path)) return { error: `${path} is not built (scripts/bootstrap.sh builds it)` };
    const addon = createRequire(import.meta.url)(path) as SphinxAddon;
    return addonSelfTest(addon) ? { addon } : { error: "the addon failed its known answer" };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const loaded = loadAddon();

/** The addon when it is built, loads and passes its known answer (never throws: otherwise the JS path). */
export const sphinxAddon: SphinxAddon | undefined = loaded.addon;

/** Why the addon is not in use (undefined when it loaded). */
export const sphinxAddonLoadError: string | undefined = loaded.error;

const derivations: { js: KeyDerivation; native?: KeyDerivation } = {
  js: jsKeyDerivation,
  ...(sphinxAddon === undefined ? {} : { native: nativeKeyDerivation(sphinxAddon) }),
};

function byName(name: unknown, source: string): KeyDerivation {
  if (name !== "native" && name !== "js") {
    throw new SphinxError("SPHINX_ERROR_INVALID_ARGUMENT", `${source}: key derivation must be "native" or "js"`);
  }
  const derivation = derivations[name];
  if (derivation === undefined) {
    throw new SphinxError(
      "SPHINX_ERROR_INVALID_ARGUMENT",
      `${source}: the native key derivation is unavailable (${sphinxAddonLoadError})`,
    );
  }
  return derivation;
}

function initial(): KeyDerivation {
  const requested = process.env.NYM_SPHINX_KDF;
  if (requested === undefined || requested === "") return derivations.native ?? derivations.js;
  return byName(requested, "NYM_SPHINX_KDF");
}

let active = initial();

/** The key derivation in use (internal). */
export function currentKeyDerivation(): KeyDerivation {
  return active;
}

/** "native" unless the addon is missing, failed its known answer, or NYM_SPHINX_KDF=js. */
export function getSphinxKeyDerivation(): KeyDerivationName {
  return active.name;
}

/** The key derivations this process can use: always "js", and "native" when the addon loaded. */
export function availableSphinxKeyDerivations(): KeyDerivationName[] {
  return derivations.native === undefined ? ["js"] : ["js", "native"];
}

/**
 * Switches the key derivation for everything from now on (builders and existing nodes alike: both paths give the
 * same bytes). SPHINX_ERROR_INVALID_ARGUMENT for an unknown or unavailable name.
 */
export function setSphinxKeyDerivation(name: KeyDerivationName): void {
  active = byName(name, "setSphinxKeyDerivation");
}
