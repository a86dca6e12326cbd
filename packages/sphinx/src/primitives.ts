/**
 * Thin, fast wrappers over node:crypto: HKDF, AES-CTR and the header MAC for both backends, and X25519 and ChaCha20
 * for the node backend (backend.ts). Two costs dominate naive use and both are avoided here:
 * - node:crypto checks whether a key argument is a KeyObject or CryptoKey by calling a native getter that throws for
 *   anything else; building that exception's stack trace costs ~15 us per call. Symmetric keys are therefore always
 *   wrapped with `createSecretKey` first (~1 us), and X25519 imports run with `Error.stackTraceLimit = 0`.
 * - Raw X25519 keys are imported with the `raw-public` / `raw-private` formats (no DER or JWK encoding).
 */
import {
  createCipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  hash,
  hkdfSync,
  type KeyObject,
  timingSafeEqual,
} from "node:crypto";
import {
  EXPANDED_SECRET_LENGTH,
  HKDF_INFO,
  MAC_LENGTH,
  PAYLOAD_KEY_HKDF_INFO,
  PAYLOAD_KEY_HKDF_SALT,
  PAYLOAD_KEY_LENGTH,
  STREAM_LENGTH,
} from "./constants.js";
import { SphinxError } from "./errors.js";
import { sha256Compress } from "./sha256-compress.js";

const ZERO_IV = new Uint8Array(16);
const EMPTY = new Uint8Array(0);
const ZEROS_STREAM = new Uint8Array(STREAM_LENGTH);

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function withoutStackTraces<T>(f: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return f();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Imports a 32-byte X25519 u-coordinate. Any 32 bytes are a valid encoding; low-order points fail at `x25519`. */
export function importPublicKey(raw: Uint8Array): KeyObject {
  try {
    return withoutStackTraces(() =>
      createPublicKey({ key: asBuffer(raw), format: "raw-public", asymmetricKeyType: "x25519" }),
    );
  } catch {
    throw new SphinxError("SPHINX_ERROR_INVALID_POINT", "not an X25519 public key encoding");
  }
}

/** Imports a 32-byte X25519 scalar (OpenSSL clamps it; it also derives the public key, which costs one base mult). */
export function importPrivateKey(raw: Uint8Array): KeyObject {
  return withoutStackTraces(() =>
    createPrivateKey({ key: asBuffer(raw), format: "raw-private", asymmetricKeyType: "x25519" }),
  );
}

export function exportPublicKey(privateKey: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(privateKey).export({ format: "raw-public" }));
}

/** X25519(k, P). Throws SPHINX_ERROR_INVALID_POINT when the result is all zero (P of small order). */
export function x25519(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  try {
    const out = withoutStackTraces(() => diffieHellman({ privateKey, publicKey }));
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch {
    throw new SphinxError("SPHINX_ERROR_INVALID_POINT", "X25519 with this group element gives no shared secret");
  }
}

/**
 * HKDF-SHA256(salt = empty, ikm = shared secret, info = nym's string) to 288 bytes, on node:crypto: the JS path of
 * the key derivation (key-derivation.ts), used when the native addon is missing or NYM_SPHINX_KDF=js; ~8 us, of which
 * ~4.5 us is hkdfSync's fixed native setup (the addon: ~2 us).
 */
export function expandSharedSecret(sharedSecret: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", createSecretKey(sharedSecret), EMPTY, HKDF_INFO, EXPANDED_SECRET_LENGTH));
}

/**
 * Versions 259 and 260: the 192-byte Lioness key from a 16-byte payload key seed, HKDF-SHA256 (RFC 5869) with the
 * crate's salt and info, computed here on our own SHA-256 compression (sha256-compress.ts) rather than hkdfSync.
 * This is the JS path (key-derivation.ts): by default the native addon derives this key with the 288 bytes in one
 * call, ~1 us on top of them (`pnpm bench`, "key derivation of one hop"); this code runs when the addon is missing
 * or NYM_SPHINX_KDF=js, and is the reference the addon is checked against at load.
 *
 * Why: the work is 21 SHA-256 compressions (extract: 2, the salt's two padded-key blocks being precomputed at load;
 * the PRK's padded keys: 2; T(1): 2; T(2)..T(6): 3 each), ~4.2 us in JavaScript at ~0.2 us each. hkdfSync spends
 * ~4.5 us in fixed native cost (its job, OpenSSL's KDF context) before any hashing, plus createSecretKey (~0.7 us).
 * `pnpm bench`, three runs ("payload key from its seed", p10 / median): this 5.1-5.2 / 5.2-5.4 us, hkdfSync
 * 6.5-6.8 / 7.0-8.0 us, HMAC on libsodium's SHA-256 14.8-15.1 / 15.8-16.7 us. The 288-byte HKDF of every hop stays
 * on hkdfSync: its 39 compressions in JavaScript measured 9.0-10.0 us p10 against hkdfSync's 7.8-10.1. The README
 * ("Why 259 and 260 cannot match 258") lists every way measured.
 */
export function derivePayloadKey(seed: Uint8Array, out: Uint8Array = new Uint8Array(PAYLOAD_KEY_LENGTH)): Uint8Array {
  const w = hkdfBlock;
  const s = hkdfState;
  const info = PAYLOAD_INFO_WORDS;
  // PRK = HMAC(salt, seed): inner hash over ipad(salt) || seed (16 bytes), then the outer over the inner digest
  for (let i = 0; i < 8; i++) s[i] = SALT_INNER[i]!;
  for (let i = 0; i < 4; i++) w[i] = readWord(seed, 4 * i);
  w[4] = PAD_WORD;
  for (let i = 5; i < 15; i++) w[i] = 0;
  w[15] = (64 + 16) * 8;
  sha256Compress(s, w);
  const prk = hkdfPrk;
  for (let i = 0; i < 8; i++) prk[i] = SALT_OUTER[i]!;
  outerBlock(prk, s);
  // the PRK's padded-key states
  const prkInner = hkdfPrkInner;
  const prkOuter = hkdfPrkOuter;
  for (let i = 0; i < 8; i++) {
    w[i] = prk[i]! ^ IPAD_WORD;
    prkInner[i] = SHA256_IV[i]!;
    prkOuter[i] = SHA256_IV[i]!;
  }
  for (let i = 8; i < 16; i++) w[i] = IPAD_WORD;
  sha256Compress(prkInner, w);
  for (let i = 0; i < 16; i++) w[i]! ^= IPAD_WORD ^ OPAD_WORD;
  sha256Compress(prkOuter, w);
  // T(k) = HMAC(PRK, T(k-1) || info || k), 6 blocks of 32 bytes; info is 44 bytes = 11 words
  const t = hkdfT;
  for (let k = 1; k <= PAYLOAD_KEY_LENGTH / 32; k++) {
    for (let i = 0; i < 8; i++) s[i] = prkInner[i]!;
    if (k === 1) {
      for (let i = 0; i < 11; i++) w[i] = info[i]!;
      w[11] = 0x01800000; // k = 1, then the padding bit
      w[12] = 0;
      w[13] = 0;
      w[14] = 0;
      w[15] = (64 + 44 + 1) * 8;
    } else {
      for (let i = 0; i < 8; i++) {
        w[i] = t[i]!;
        w[8 + i] = info[i]!;
      }
      sha256Compress(s, w);
      w[0] = info[8]!;
      w[1] = info[9]!;
      w[2] = info[10]!;
      w[3] = (k << 24) | 0x00800000;
      for (let i = 4; i < 15; i++) w[i] = 0;
      w[15] = (64 + 32 + 44 + 1) * 8;
    }
    sha256Compress(s, w);
    for (let i = 0; i < 8; i++) t[i] = prkOuter[i]!;
    outerBlock(t, s);
    for (let i = 0; i < 8; i++) writeWord(out, 32 * (k - 1) + 4 * i, t[i]!);
  }
  return out;
}

/** The reference: the same key through node:crypto's hkdfSync (the bench compares the two; tests check they agree). */
export function derivePayloadKeyHkdfSync(seed: Uint8Array): Uint8Array {
  return new Uint8Array(
    hkdfSync("sha256", createSecretKey(seed), PAYLOAD_KEY_HKDF_SALT, PAYLOAD_KEY_HKDF_INFO, PAYLOAD_KEY_LENGTH),
  );
}

const SHA256_IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const IPAD_WORD = 0x36363636;
const OPAD_WORD = 0x5c5c5c5c;
/** The 0x80 byte that starts SHA-256 padding, as the first byte of a word. */
const PAD_WORD = 0x80000000 | 0;
const hkdfBlock = new Int32Array(16);
const hkdfState = new Int32Array(8);
const hkdfPrk = new Int32Array(8);
const hkdfPrkInner = new Int32Array(8);
const hkdfPrkOuter = new Int32Array(8);
const hkdfT = new Int32Array(8);

function readWord(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = word >>> 16;
  bytes[at + 2] = word >>> 8;
  bytes[at + 3] = word;
}

/** state (an HMAC's outer padded-key state) <- its final block: the 32-byte inner digest, padding, length 96 bytes. */
function outerBlock(state: Int32Array, inner: Int32Array): void {
  const w = hkdfBlock;
  for (let i = 0; i < 8; i++) w[i] = inner[i]!;
  w[8] = PAD_WORD;
  for (let i = 9; i < 15; i++) w[i] = 0;
  w[15] = (64 + 32) * 8;
  sha256Compress(state, w);
}

/** The SHA-256 states after one block of key ^ ipad and of key ^ opad (HMAC with a key of at most 64 bytes). */
function paddedKeyStates(key: Uint8Array): [Int32Array, Int32Array] {
  const padded = new Uint8Array(64);
  padded.set(key);
  const inner = Int32Array.from(SHA256_IV);
  const outer = Int32Array.from(SHA256_IV);
  const w = new Int32Array(16);
  for (let i = 0; i < 16; i++) w[i] = readWord(padded, 4 * i) ^ IPAD_WORD;
  sha256Compress(inner, w);
  for (let i = 0; i < 16; i++) w[i]! ^= IPAD_WORD ^ OPAD_WORD;
  sha256Compress(outer, w);
  return [inner, outer];
}

const [SALT_INNER, SALT_OUTER] = paddedKeyStates(PAYLOAD_KEY_HKDF_SALT);
const PAYLOAD_INFO_WORDS = Int32Array.from({ length: PAYLOAD_KEY_HKDF_INFO.length / 4 }, (_, i) =>
  readWord(PAYLOAD_KEY_HKDF_INFO, 4 * i),
);

const SHA256_BLOCK = 64;
const macInner = new Uint8Array(SHA256_BLOCK + 512);
const macOuter = new Uint8Array(SHA256_BLOCK + 32);

/** out = SHA-256(data), |out| = 32. */
export type Sha256 = (data: Uint8Array, out: Uint8Array) => void;

/** node:crypto's one-shot `hash` (no Hash object, no stream machinery). */
export const nodeSha256: Sha256 = (data, out) => {
  out.set(hash("sha256", data, "buffer"));
};

/**
 * HMAC-SHA256(key, data) truncated to 16 bytes, for keys up to 64 bytes. Written out as
 * H((K ^ opad) || H((K ^ ipad) || data)) over a one-shot SHA-256 (node:crypto's `hash`, or libsodium's on the sodium
 * backend), which is ~2 us faster per call than `createHmac` (no Hmac object); other sizes use `createHmac`.
 */
export function headerMac(key: Uint8Array, data: Uint8Array, sha256: Sha256 = nodeSha256): Uint8Array {
  if (key.length > SHA256_BLOCK || data.length > macInner.length - SHA256_BLOCK) {
    return createHmac("sha256", createSecretKey(key)).update(data).digest().subarray(0, MAC_LENGTH);
  }
  for (let i = 0; i < SHA256_BLOCK; i++) {
    const k = i < key.length ? key[i]! : 0;
    macInner[i] = k ^ 0x36;
    macOuter[i] = k ^ 0x5c;
  }
  macInner.set(data, SHA256_BLOCK);
  sha256(macInner.subarray(0, SHA256_BLOCK + data.length), macOuter.subarray(SHA256_BLOCK));
  const out = new Uint8Array(32);
  sha256(macOuter, out);
  return out.subarray(0, MAC_LENGTH);
}

export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** AES-128-CTR keystream with an all-zero IV, STREAM_LENGTH (360) bytes. */
export function headerKeystream(key: Uint8Array): Uint8Array {
  const out = createCipheriv("aes-128-ctr", createSecretKey(key), ZERO_IV).update(ZEROS_STREAM);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * XORs ChaCha20(key, nonce 0, counter 0) into data. OpenSSL's "chacha20" takes a 16-byte IV = counter(4, LE) ||
 * nonce(12); all zero it gives the same keystream as the original 64-bit-nonce ChaCha20 with a zero nonce for inputs
 * below 2^32 blocks, which is what lioness/nym use.
 */
export function chacha20Xor(key: Uint8Array, data: Uint8Array): Uint8Array {
  return createCipheriv("chacha20", createSecretKey(key), ZERO_IV).update(data);
}
