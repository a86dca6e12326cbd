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

/** HKDF-SHA256(salt = empty, ikm = shared secret, info = nym's string) to 288 bytes. */
export function expandSharedSecret(sharedSecret: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", createSecretKey(sharedSecret), EMPTY, HKDF_INFO, EXPANDED_SECRET_LENGTH));
}

/** Versions 259 and 260: the 192-byte Lioness key from a 16-byte payload key seed (HKDF-SHA256, the crate's salt and info). */
export function derivePayloadKey(seed: Uint8Array): Uint8Array {
  return new Uint8Array(
    hkdfSync("sha256", createSecretKey(seed), PAYLOAD_KEY_HKDF_SALT, PAYLOAD_KEY_HKDF_INFO, PAYLOAD_KEY_LENGTH),
  );
}

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
