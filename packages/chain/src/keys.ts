import { createRequire } from "node:module";
import { dirname } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import * as libsecp256k1 from "tiny-secp256k1";

/** libsecp256k1 as a native N-API addon: the prebuilt binary inside the `secp256k1` npm package. */
interface NativeSecp256k1 {
  ecdsaVerify(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean;
}

/**
 * The native addon when its prebuilt binary loads on this platform, else undefined. Loaded from `bindings.js` on
 * purpose: the package's entry point would silently fall back to `elliptic` (pure JS), and our fallback is the
 * WebAssembly build of the same libsecp256k1 instead.
 */
function loadNative(): NativeSecp256k1 | undefined {
  if (process.env.NYM_CHAIN_SECP256K1 === "wasm") return undefined;
  try {
    return createRequire(import.meta.url)("secp256k1/bindings.js") as NativeSecp256k1;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which libsecp256k1 build verifies signatures in this process: `native` (~74 us) or `wasm` (~330 us). */
export const SIGNATURE_BACKEND: "native" | "wasm" = native ? "native" : "wasm";

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
 * for @noble/hashes in JS, which stays the fallback. Undefined where the addon does not load.
 */
function loadNativeKeccak(): ((message: Uint8Array) => Uint8Array) | undefined {
  if (process.env.NYM_CHAIN_KECCAK === "js") return undefined;
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

/** keccak256 of the empty message (the Ethereum empty code hash). */
const KECCAK256_EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

const nativeKeccak = loadNativeKeccak();

/** Which keccak256 this process uses: `native` (the `keccak` addon) or `js` (@noble/hashes). */
export const KECCAK_BACKEND: "native" | "js" = nativeKeccak ? "native" : "js";

/** The keccak256 implementations, for tests that compare them. */
export const keccak256Backends: {
  native?: (message: Uint8Array) => Uint8Array;
  js: (message: Uint8Array) => Uint8Array;
} = { ...(nativeKeccak ? { native: nativeKeccak } : {}), js: (message) => keccak_256(message) };

/** keccak256 (Ethereum's, with the original Keccak padding, not SHA3-256). */
export const keccak256: (message: Uint8Array) => Uint8Array = nativeKeccak ?? keccak256Backends.js;

/** An Ethereum address: `0x` and 40 lower-case hex digits. */
export type Address = `0x${string}`;

const CURVE_ORDER = secp256k1.Point.CURVE().n;
const HALF_ORDER = CURVE_ORDER >> 1n;

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Strict hex decoding: optional `0x`, even length, hex digits only. Throws TypeError naming `name`. */
export function hexToBytes(hex: string, name = "hex"): Uint8Array {
  const body = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new TypeError(`${name}: not a hex string`);
  return new Uint8Array(Buffer.from(body, "hex"));
}

/** address = last 20 bytes of keccak256(uncompressed public key without its 0x04 prefix), as Ethereum does. */
export function addressFromPublicKey(publicKey: Uint8Array): Address {
  const point = secp256k1.Point.fromBytes(publicKey); // throws on a point not on the curve
  const uncompressed = point.toBytes(false);
  return `0x${bytesToHex(keccak256(uncompressed.subarray(1)).subarray(12))}`;
}

export function publicKeyFromSecretKey(secretKey: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return secp256k1.getPublicKey(secretKey, true);
}

export function addressFromSecretKey(secretKey: Uint8Array): Address {
  return addressFromPublicKey(publicKeyFromSecretKey(secretKey));
}

/** A fresh random secp256k1 secret key (32 bytes). */
export function randomSecretKey(): Uint8Array {
  return secp256k1.utils.randomSecretKey();
}

function checkSecretKey(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32 || !secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new TypeError("secretKey: expected a valid 32-byte secp256k1 secret key");
  }
}

/**
 * Ethereum-style ECDSA over secp256k1: the message is hashed with keccak256 and the 32-byte digest is signed;
 * 64-byte `r || s` with low `s` (as Ethereum requires), deterministic nonces (RFC 6979).
 */
export function signMessage(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return secp256k1.sign(keccak256(message), secretKey, { prehash: false, lowS: true, format: "compact" });
}

interface CachedKey {
  /** 65-byte uncompressed point: libsecp256k1 verifies fastest without decompressing. */
  point: Uint8Array;
  address: Address;
}

/**
 * Verifies signatures with libsecp256k1: natively (the prebuilt addon of the `secp256k1` package, about 74 us a
 * verification) where it loads, else compiled to WebAssembly (`tiny-secp256k1`, about 330 us), both far ahead of
 * OpenSSL through node:crypto and of pure JS. Every validator verifies every tx, so this is the ledger's largest
 * cost: with four validators on two cores it decides throughput. Public keys are parsed and checked (by
 * @noble/curves) once and cached, since the same watchers and verifiers sign most txs. `backend` forces one build
 * (tests compare them).
 */
export class SignatureVerifier {
  readonly #keys = new Map<string, CachedKey>();
  readonly #maxKeys: number;

  readonly #native: NativeSecp256k1 | undefined;

  constructor(maxKeys = 50_000, backend: "native" | "wasm" = SIGNATURE_BACKEND) {
    this.#maxKeys = maxKeys;
    if (backend === "native" && !native) throw new Error("the native libsecp256k1 addon is not available here");
    this.#native = backend === "native" ? native : undefined;
  }

  get backend(): "native" | "wasm" {
    return this.#native ? "native" : "wasm";
  }

  /** The address of a compressed (33-byte) public key, or undefined when it is not a point on the curve. */
  resolve(publicKey: Uint8Array): CachedKey | undefined {
    if (publicKey.length !== 33) return undefined;
    const id = bytesToHex(publicKey);
    const hit = this.#keys.get(id);
    if (hit) return hit;
    let point: Uint8Array;
    try {
      point = secp256k1.Point.fromBytes(publicKey).toBytes(false);
    } catch {
      return undefined;
    }
    const entry: CachedKey = { point, address: `0x${bytesToHex(keccak256(point.subarray(1)).subarray(12))}` };
    if (this.#keys.size >= this.#maxKeys) this.#keys.clear();
    this.#keys.set(id, entry);
    return entry;
  }

  /** True when `signature` (64-byte r||s, low s) signs keccak256(`message`) under `publicKey`. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    const r = bytesToBigInt(signature.subarray(0, 32));
    const s = bytesToBigInt(signature.subarray(32));
    // High-s signatures are malleable twins of valid ones; reject them so a tx has exactly one valid encoding.
    if (r === 0n || s === 0n || r >= CURVE_ORDER || s > HALF_ORDER) return false;
    const entry = this.resolve(publicKey);
    if (!entry) return false;
    try {
      const digest = keccak256(message);
      return this.#native
        ? this.#native.ecdsaVerify(signature, digest, entry.point)
        : libsecp256k1.verify(digest, entry.point, signature, true);
    } catch {
      return false;
    }
  }
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`);
}
