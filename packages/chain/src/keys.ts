import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { type Address, bytesToHex, type TxSignatureVerifier } from "@nym-ts/chain-client";
import * as libsecp256k1 from "tiny-secp256k1";

/**
 * This package's own N-API addon (`packages/chain/native`, Rust, built and linked by scripts/bootstrap.sh):
 * libsecp256k1 0.6 as vendored by the `secp256k1` crate 0.31, and keccak256 from `tiny-keccak`. `verifyTx` hashes
 * `domain || body` without a concatenation and verifies in one call, with r, s in [1, n - 1] and s <= n / 2 checked
 * natively, and parsed public keys cached natively (bounded). It throws on a key or signature of the wrong length
 * (callers check lengths first); a key off the curve or a bad signature is `false`.
 */
export interface ChainAddon {
  verifyTx(publicKey: Uint8Array, signature: Uint8Array, domain: Uint8Array, body: Uint8Array): boolean;
  keccak256(data: Uint8Array): Uint8Array;
  /** The 20-byte address of a compressed public key, null when it is not a curve point. */
  addressOf(publicKey: Uint8Array): Uint8Array | null;
  /** Parsed public keys in the addon's cache (at most 50,000, then cleared). */
  cachedKeys(): number;
}

/** Where scripts/bootstrap.sh links the built addon (relative to this file in src/ and in dist/). */
const ADDON = new URL("../native/build/nym_chain_native.node", import.meta.url);

/** keccak256 of the empty message (the Ethereum empty code hash). */
const KECCAK256_EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

/**
 * A known answer for the addon's self test: secret key 0x11 repeated 32 times (noble's public key and RFC 6979
 * signature, low s) over keccak256(SELF_TEST_DOMAIN || SELF_TEST_BODY).
 */
const SELF_TEST_KEY = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";
const SELF_TEST_SIGNATURE =
  "821a853d26f872cb721640919fee75a99b0e428a10d281c93cf1a1b2d3eca1690ba174e55d67a2574adb23cd012ebb24b0d00ce9bd0b2b895fee449cbe61b5cf";
const SELF_TEST_DOMAIN = "nym-ts/chain self-test\n";
const SELF_TEST_BODY = '{"known":"answer"}';

/**
 * The addon passes the known answers: the signature verifies, the same with one body bit flipped does not, and the
 * empty message has its known keccak256. Exported for tests.
 */
export function addonSelfTest(addon: ChainAddon): boolean {
  const key = Buffer.from(SELF_TEST_KEY, "hex");
  const signature = Buffer.from(SELF_TEST_SIGNATURE, "hex");
  const domain = Buffer.from(SELF_TEST_DOMAIN);
  const body = Buffer.from(SELF_TEST_BODY);
  const mutated = Buffer.from(body);
  mutated[0] = mutated[0]! ^ 0x01;
  return (
    addon.verifyTx(key, signature, domain, body) === true &&
    addon.verifyTx(key, signature, domain, mutated) === false &&
    bytesToHex(addon.keccak256(new Uint8Array())) === KECCAK256_EMPTY
  );
}

/**
 * The addon when it is built, loads and passes its self test, else undefined (never throws: a missing or broken
 * addon means the next backend).
 */
function loadAddon(): ChainAddon | undefined {
  try {
    const path = fileURLToPath(ADDON);
    if (!existsSync(path)) return undefined;
    const addon = createRequire(import.meta.url)(path) as ChainAddon;
    return addonSelfTest(addon) ? addon : undefined;
  } catch {
    return undefined;
  }
}

/** libsecp256k1 as a native N-API addon: the prebuilt binary inside the `secp256k1` npm package. */
interface NativeSecp256k1 {
  ecdsaVerify(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean;
}

/**
 * The prebuilt addon of the `secp256k1` npm package (a libsecp256k1 of 2019) when it loads on this platform, else
 * undefined. Loaded from `bindings.js` on purpose: the package's entry point would silently fall back to `elliptic`
 * (pure JS), and our last fallback is the WebAssembly build of libsecp256k1 instead.
 */
function loadNpmSecp256k1(): NativeSecp256k1 | undefined {
  try {
    return createRequire(import.meta.url)("secp256k1/bindings.js") as NativeSecp256k1;
  } catch {
    return undefined;
  }
}

/**
 * The signature backends, fastest first: `native-0.6` (this package's addon, libsecp256k1 0.6), `native-2019` (the
 * `secp256k1` npm package's addon), `wasm` (`tiny-secp256k1`, libsecp256k1 compiled to WebAssembly).
 */
export const SIGNATURE_BACKENDS = ["native-0.6", "native-2019", "wasm"] as const;
export type SignatureBackend = (typeof SIGNATURE_BACKENDS)[number];

/** The keccak256 backends, fastest first: `rust` (this package's addon), `native` (the `keccak` package), `js`. */
export const KECCAK_BACKENDS = ["rust", "native", "js"] as const;
export type KeccakBackend = (typeof KECCAK_BACKENDS)[number];

/** The backends from the one an env variable names (if it names one) down the list. */
function allowed<T extends string>(list: readonly T[], value: string | undefined): readonly T[] {
  const start = list.indexOf(value as T);
  return start < 0 ? list : list.slice(start);
}

const allowedSignature = allowed(SIGNATURE_BACKENDS, process.env.NYM_CHAIN_SECP256K1);
const allowedKeccak = allowed(KECCAK_BACKENDS, process.env.NYM_CHAIN_KECCAK);

// Every backend is loaded whatever the env variables say (tests compare them); the env only decides which is used.
const addon = loadAddon();
const npmSecp256k1 = loadNpmSecp256k1();

/** The signature backends that load in this process. */
export const availableSignatureBackends: readonly SignatureBackend[] = SIGNATURE_BACKENDS.filter(
  (b) => b === "wasm" || (b === "native-0.6" ? addon !== undefined : npmSecp256k1 !== undefined),
);

/**
 * Which backend verifies signatures in this process: the first that loads among those allowed by
 * `NYM_CHAIN_SECP256K1` (unset: all; `native-2019`: that one or wasm; `wasm`: wasm only).
 */
export const SIGNATURE_BACKEND: SignatureBackend =
  allowedSignature.find((b) => availableSignatureBackends.includes(b)) ?? "wasm";

/** The Keccak sponge of the `keccak` package's prebuilt N-API addon (its native class, without the stream wrapper). */
interface NativeKeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

/**
 * keccak256 in native code: the prebuilt addon of the `keccak` package (linux-x64 glibc and musl, darwin-x64,
 * win32-x64), loaded through node-gyp-build without any install script. Its public API wraps each hash in a
 * stream object (about 12 us for a 650-byte tx body); one reused sponge state costs about 4.5 us, against about 31 us
 * for @noble/hashes in JS. Undefined where the addon does not load.
 */
function loadNativeKeccak(): ((message: Uint8Array) => Uint8Array) | undefined {
  try {
    const require = createRequire(import.meta.url);
    const build = require("node-gyp-build") as (dir: string) => unknown;
    const KeccakState = build(dirname(require.resolve("keccak/package.json"))) as new () => NativeKeccakState;
    if (typeof KeccakState !== "function") return undefined;
    const state = new KeccakState();
    // Synchronous from initialize to squeeze, so one state serves every call of this single-threaded process.
    const hash = (message: Uint8Array): Uint8Array => {
      state.initialize(1088, 512); // keccak256: rate 1088 bits, capacity 512 bits, Keccak padding (0x01)
      state.absorb(Buffer.from(message.buffer, message.byteOffset, message.byteLength));
      return new Uint8Array(state.squeeze(32));
    };
    // Refuse an addon that does not give the known digest of the empty message.
    if (bytesToHex(hash(new Uint8Array())) !== KECCAK256_EMPTY) return undefined;
    return hash;
  } catch {
    return undefined;
  }
}

const nativeKeccak = loadNativeKeccak();

/** keccak256 through this package's addon; a non-Uint8Array is a TypeError, as with the other backends. */
const rustKeccak = addon
  ? (message: Uint8Array): Uint8Array => {
      if (!(message instanceof Uint8Array)) throw new TypeError("keccak256: expected a Uint8Array");
      return addon.keccak256(message);
    }
  : undefined;

/** The keccak256 implementations that load in this process, for tests that compare them. */
export const keccak256Backends: Partial<Record<KeccakBackend, (message: Uint8Array) => Uint8Array>> & {
  js: (message: Uint8Array) => Uint8Array;
} = {
  ...(rustKeccak ? { rust: rustKeccak } : {}),
  ...(nativeKeccak ? { native: nativeKeccak } : {}),
  js: (message) => keccak_256(message),
};

/**
 * Which keccak256 this process uses: the first that loads among those allowed by `NYM_CHAIN_KECCAK` (unset: all;
 * `native`: the `keccak` package or JS; `js`: @noble/hashes only).
 */
export const KECCAK_BACKEND: KeccakBackend = allowedKeccak.find((b) => keccak256Backends[b]) ?? "js";

/** keccak256 (Ethereum's, with the original Keccak padding, not SHA3-256). */
export const keccak256: (message: Uint8Array) => Uint8Array = keccak256Backends[KECCAK_BACKEND] ?? keccak256Backends.js;

/** The curve order and its half: r and s must lie in [1, n - 1], s at most n / 2. */
const CURVE_ORDER = secp256k1.Point.CURVE().n;
const HALF_ORDER = CURVE_ORDER >> 1n;

interface CachedKey {
  address: Address;
  /** 65-byte uncompressed point for the 2019 and wasm backends (libsecp256k1 verifies fastest without decompressing). */
  point?: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/**
 * Verifies signatures with libsecp256k1, by default with this package's addon (`native-0.6`: about 40 us a
 * verification in Rust, keccak256 and the call included about 45 us from JS); falling back to the prebuilt addon of
 * the `secp256k1` npm package (`native-2019`, a libsecp256k1 of 2019: about 60 us plus keccak256), then to
 * WebAssembly (`tiny-secp256k1`, about 330 us). Every validator verifies every tx, so this is the ledger's largest
 * cost: with four validators on two cores it decides throughput. Public keys are parsed and checked once and their
 * addresses cached (the addon caches its parsed keys too), since the same watchers and verifiers sign most txs.
 * `backend` forces one build (tests compare them). Nothing here throws on bad input: a wrong length, a key off the
 * curve, r or s outside [1, n - 1], a high s or a wrong signature are all `false`.
 */
export class SignatureVerifier implements TxSignatureVerifier {
  readonly #keys = new Map<string, CachedKey>();
  readonly #maxKeys: number;
  readonly #backend: SignatureBackend;
  readonly #addon: ChainAddon | undefined;
  readonly #npm: NativeSecp256k1 | undefined;

  constructor(maxKeys = 50_000, backend: SignatureBackend = SIGNATURE_BACKEND) {
    this.#maxKeys = maxKeys;
    if (!availableSignatureBackends.includes(backend)) {
      throw new Error(`the ${backend} signature backend is not available here`);
    }
    this.#backend = backend;
    this.#addon = backend === "native-0.6" ? addon : undefined;
    this.#npm = backend === "native-2019" ? npmSecp256k1 : undefined;
  }

  get backend(): SignatureBackend {
    return this.#backend;
  }

  /** The address of a compressed (33-byte) public key, or undefined when it is not a point on the curve. */
  resolve(publicKey: Uint8Array): CachedKey | undefined {
    if (publicKey.length !== 33) return undefined;
    const id = bytesToHex(publicKey);
    const hit = this.#keys.get(id);
    if (hit) return hit;
    let entry: CachedKey;
    if (this.#addon) {
      const address = this.#addon.addressOf(publicKey);
      if (!address) return undefined;
      entry = { address: `0x${bytesToHex(address)}` };
    } else {
      let point: Uint8Array;
      try {
        point = secp256k1.Point.fromBytes(publicKey).toBytes(false);
      } catch {
        return undefined;
      }
      entry = { point, address: `0x${bytesToHex(keccak256(point.subarray(1)).subarray(12))}` };
    }
    if (this.#keys.size >= this.#maxKeys) this.#keys.clear();
    this.#keys.set(id, entry);
    return entry;
  }

  /** True when `signature` (64-byte r||s, low s) signs keccak256(`message`) under `publicKey`. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
    return this.verifyParts(signature, EMPTY, message, publicKey);
  }

  /**
   * True when `signature` (64-byte r||s, low s) signs keccak256(`domain || body`) under `publicKey`. The addon
   * hashes the two parts in place; the other backends concatenate them first.
   */
  verifyParts(signature: Uint8Array, domain: Uint8Array, body: Uint8Array, publicKey: Uint8Array): boolean {
    if (signature.length !== 64 || publicKey.length !== 33) return false;
    if (this.#addon) {
      try {
        return this.#addon.verifyTx(publicKey, signature, domain, body);
      } catch {
        return false;
      }
    }
    const r = bytesToBigInt(signature.subarray(0, 32));
    const s = bytesToBigInt(signature.subarray(32));
    // High-s signatures are malleable twins of valid ones; reject them so a tx has exactly one valid encoding.
    if (r === 0n || s === 0n || r >= CURVE_ORDER || s > HALF_ORDER) return false;
    const point = this.resolve(publicKey)?.point;
    if (!point) return false;
    try {
      let message = body;
      if (domain.length > 0) {
        message = new Uint8Array(domain.length + body.length);
        message.set(domain, 0);
        message.set(body, domain.length);
      }
      const digest = keccak256(message);
      return this.#npm
        ? this.#npm.ecdsaVerify(signature, digest, point)
        : libsecp256k1.verify(digest, point, signature, true);
    } catch {
      return false;
    }
  }
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`);
}
