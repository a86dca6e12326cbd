/**
 * The primitives whose implementation differs between the two paths: X25519, Lioness's ChaCha20 and keyed BLAKE2b,
 * and the SHA-256 under the header MAC. AES-128-CTR is node:crypto on both paths. The key derivation (HKDF-SHA256
 * to the 288-byte key schedule, and for 259/260 the payload key from its 16-byte seed) does not depend on the
 * backend: it has its own two paths (key-derivation.ts), this package's Rust addon by default, node:crypto's
 * hkdfSync plus our SHA-256 in JavaScript as the fallback. sodium-native has no HKDF nor HMAC-SHA256: composing
 * HKDF's 39 SHA-256 compressions from its single calls costs more than hkdfSync, and the payload key as HMAC on its
 * incremental SHA-256 measured 2-2.5 x hkdfSync's time (`pnpm bench`, "payload key from its seed").
 *
 * - "sodium" (default when sodium-native loads): libsodium's X25519 on raw 32-byte scalars and u-coordinates. A hop
 *   then costs two scalar multiplications instead of three: node:crypto can only use a scalar by importing it as a
 *   private key, and OpenSSL derives the public key (a base-point multiplication, ~40 us) on every raw import. The
 *   sender's alpha = x*B is libsodium's fixed-base multiplication (about half a variable-base one). ChaCha20,
 *   BLAKE2b and the MAC's two SHA-256 calls come from libsodium too (one native call each, no cipher object, no
 *   WebAssembly copy-in; each measured faster than its node:crypto counterpart, see `pnpm bench`).
 * - "node": node:crypto (OpenSSL X25519 through KeyObjects, OpenSSL ChaCha20) plus @noble/hashes' keyed BLAKE2b, as
 *   node:crypto has only unkeyed BLAKE2b-512. The portable reference: it runs wherever Node does, without the native
 *   addon. Both paths give byte-identical packets and hop results (tested).
 *
 * Keyed BLAKE2b-256 (64-byte key) was measured side by side on the sizes Lioness hashes (`pnpm bench`, medians, us
 * for 6 / 2033 / 8177 / 16369 / 32753 bytes): libsodium 0.9 / 2.8 / 9.2 / 15.6 / 30.9, a hand-made WebAssembly
 * BLAKE2b 0.9 / 3.9 / 13.7 / 17.9 / 35.7, @noble/hashes 12.2 / 81.5 / 299.8 / 347.9 / 713.6 (a second run: the same
 * order, libsodium 0.86-0.93x the WebAssembly one above 6 bytes). Ours was never faster than libsodium, so it was
 * removed: the sodium backend uses libsodium, the node path the maintained pure-JS @noble/hashes.
 *
 * Choose with NYM_SPHINX_BACKEND=node|sodium in the environment (read once, at load) or `setSphinxBackend`. Nodes
 * (`createSphinxNode`) keep the backend they were created with; builders use the one active at the call.
 *
 * Behaviour that must match across backends, and does:
 * - clamping: both clamp the scalar inside X25519 (RFC 7748), so raw blinding factors are passed unclamped;
 * - low-order points: OpenSSL fails on an all-zero result; libsodium refuses small-order inputs (its blocklist) and
 *   all-zero results. With clamped scalars (multiples of 8) a small-order input is exactly what gives zero, so both
 *   refuse the same inputs, and both map to SPHINX_ERROR_INVALID_POINT;
 * - ChaCha20: libsodium's original variant (64-bit nonce, 64-bit counter) with nonce 0 equals OpenSSL's "chacha20"
 *   with a zero 16-byte IV (32-bit counter) below 2^32 blocks, far above any payload size.
 */
import type { KeyObject } from "node:crypto";
import { blake2b } from "@noble/hashes/blake2.js";
import { SphinxError } from "./errors.js";
import {
  chacha20Xor,
  exportPublicKey,
  importPrivateKey,
  importPublicKey,
  nodeSha256,
  x25519 as nodeX25519,
  type Sha256,
} from "./primitives.js";
import { type SodiumNative, sodium, sodiumLoadError } from "./sodium.js";

export type SphinxBackendName = "node" | "sodium";

/** An X25519 key prepared for one backend: a KeyObject on node, the raw 32 bytes on sodium. Opaque to callers. */
export type X25519Key = KeyObject | Uint8Array;

export interface SphinxBackend {
  readonly name: SphinxBackendName;
  /** Prepares a 32-byte scalar (clamped inside X25519). */
  privateKey(scalar: Uint8Array): X25519Key;
  /** Prepares a 32-byte u-coordinate; any bytes are accepted here (low-order points fail in `x25519`). */
  publicKey(u: Uint8Array): X25519Key;
  /** The same for route public keys, kept across packets where preparing costs something. */
  routeKey(u: Uint8Array): X25519Key;
  /** X25519(clamp(k), 9) for a key from `privateKey`. */
  publicKeyOf(privateKey: X25519Key): Uint8Array;
  /** X25519(clamp(k), u); SPHINX_ERROR_INVALID_POINT when u gives no shared secret. */
  x25519(privateKey: X25519Key, publicKey: X25519Key): Uint8Array;
  /** data ^= ChaCha20(key, nonce 0, counter 0), in place. */
  chacha20Xor(key: Uint8Array, data: Uint8Array): void;
  /** out = BLAKE2b(data, key), |out| = 32 and |key| = 64 as Lioness uses them. */
  blake2b(data: Uint8Array, key: Uint8Array, out: Uint8Array): void;
  /** out = SHA-256(data), under the header MAC. */
  sha256: Sha256;
}

// Route public keys repeat across packets (a client routes over a fixed topology): keep their imported KeyObjects.
const PUBLIC_KEY_CACHE_LIMIT = 4096;
const publicKeyCache = new Map<string, KeyObject>();

export const nodeBackend: SphinxBackend = {
  name: "node",
  privateKey: importPrivateKey,
  publicKey: importPublicKey,
  routeKey(u) {
    const id = Buffer.from(u.buffer, u.byteOffset, u.length).toString("hex");
    let key = publicKeyCache.get(id);
    if (key === undefined) {
      key = importPublicKey(u);
      if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeyCache.clear();
      publicKeyCache.set(id, key);
    }
    return key;
  },
  publicKeyOf: (privateKey) => exportPublicKey(privateKey as KeyObject),
  x25519: (privateKey, publicKey) => nodeX25519(privateKey as KeyObject, publicKey as KeyObject),
  chacha20Xor(key, data) {
    data.set(chacha20Xor(key, data));
  },
  blake2b(data, key, out) {
    out.set(blake2b(data, { key, dkLen: out.length }));
  },
  sha256: nodeSha256,
};

const ZERO_NONCE = new Uint8Array(8);

function invalidPoint(): SphinxError {
  return new SphinxError("SPHINX_ERROR_INVALID_POINT", "X25519 with this group element gives no shared secret");
}

function sodiumBackend(na: SodiumNative): SphinxBackend {
  return {
    name: "sodium",
    // a copy: the caller may reuse its buffer, and libsodium reads the bytes only when multiplying
    privateKey: (scalar) => Uint8Array.from(scalar),
    publicKey: (u) => u,
    routeKey: (u) => u,
    publicKeyOf(privateKey) {
      const out = new Uint8Array(32);
      na.crypto_scalarmult_base(out, privateKey as Uint8Array);
      return out;
    },
    x25519(privateKey, publicKey) {
      const out = new Uint8Array(32);
      try {
        na.crypto_scalarmult(out, privateKey as Uint8Array, publicKey as Uint8Array);
      } catch {
        throw invalidPoint();
      }
      return out;
    },
    chacha20Xor(key, data) {
      na.crypto_stream_chacha20_xor(data, data, ZERO_NONCE, key);
    },
    blake2b(data, key, out) {
      na.crypto_generichash(out, data, key);
    },
    sha256(data, out) {
      na.crypto_hash_sha256(out, data);
    },
  };
}

const backends: { node: SphinxBackend; sodium?: SphinxBackend } = {
  node: nodeBackend,
  ...(sodium === undefined ? {} : { sodium: sodiumBackend(sodium) }),
};

function byName(name: unknown, source: string): SphinxBackend {
  if (name !== "node" && name !== "sodium") {
    throw new SphinxError("SPHINX_ERROR_INVALID_ARGUMENT", `${source}: backend must be "node" or "sodium"`);
  }
  const backend = backends[name];
  if (backend === undefined) {
    throw new SphinxError(
      "SPHINX_ERROR_INVALID_ARGUMENT",
      `${source}: the sodium backend is unavailable (sodium-native did not load: ${sodiumLoadError})`,
    );
  }
  return backend;
}

function initialBackend(): SphinxBackend {
  const requested = process.env.NYM_SPHINX_BACKEND;
  if (requested === undefined || requested === "") return backends.sodium ?? backends.node;
  return byName(requested, "NYM_SPHINX_BACKEND");
}

let active = initialBackend();

/** The backend builders use now (internal). */
export function currentBackend(): SphinxBackend {
  return active;
}

/** The name of the active backend: "sodium" unless sodium-native failed to load or NYM_SPHINX_BACKEND=node. */
export function getSphinxBackend(): SphinxBackendName {
  return active.name;
}

/** The backends this process can use: always "node", and "sodium" when sodium-native loaded. */
export function availableSphinxBackends(): SphinxBackendName[] {
  return backends.sodium === undefined ? ["node"] : ["node", "sodium"];
}

/**
 * Switches the backend used by packet and SURB builders and by nodes created from now on (existing nodes keep
 * theirs). SPHINX_ERROR_INVALID_ARGUMENT for an unknown or unavailable backend.
 */
export function setSphinxBackend(name: SphinxBackendName): void {
  active = byName(name, "setSphinxBackend");
}
