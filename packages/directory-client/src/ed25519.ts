import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from "node:crypto";
import { ED25519_TORSION_SUBGROUP, ed25519 as noble } from "@noble/curves/ed25519.js";

/**
 * Ed25519 (RFC 8032) for node identities and directory signatures: the one implementation in the repository
 * (mixnet-node's identities and the directory's request signing both come here).
 *
 * Signing and verification run on node:crypto (OpenSSL), the faster of the two implementations the repository had.
 * Measured with `pnpm --filter @nym-ts/directory-client bench` (bench/ed25519.ts): Node 24.21, 200-byte message,
 * ops/s on the 2-core machine while other work ran (load average about 3). Over three runs the absolute figures
 * moved by up to 30% and the ratios stayed put: key from seed 3.2-4.5x, sign 16-24x, verify 8-9.4x.
 *
 *   operation                  node:crypto   @noble/curves   ratio
 *   public key from seed            11,660           3,690     3.2x
 *   sign                            29,554           1,810    16.3x   (noble re-derives the key on every call)
 *   verify (key per call)            7,172             859     8.4x   (the directory's case: any key, any request)
 *   verify (cached key)              9,783               -
 *   small-order/canonical check  3,522,507          12,092   (bytes compared here vs noble's point decoding)
 *
 * This module's own strict verify ran at 7,216/s and its signer at 28,447/s in the same run: the key checks cost
 * nothing measurable next to OpenSSL's verification.
 *
 * @noble/curves stays for what OpenSSL does not offer: the point decoding behind `isValidEd25519PublicKeyBytes` (run
 * once per new key by the directory) and the list of small-order points.
 *
 * Strict verification: a public key must be 32 bytes, encode its y coordinate canonically (y < p), and not be one of
 * the eight points of small order, whose "signatures" can verify for messages their holder never signed (the
 * identity point with R = identity and S = 0 verifies under the bare equation for every message). OpenSSL's own
 * decoding refuses keys that are not curve points and signatures whose S is not below the group order.
 */

export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** RFC 8410 §7: the PKCS#8 header of an Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_SEED_HEADER = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The y coordinates (sign bit cleared) of the small-order points. Comparing without the sign bit also refuses the
 * two non-canonical encodings with x = 0 and the sign bit set.
 */
const SMALL_ORDER_Y = [
  ...new Set(
    ED25519_TORSION_SUBGROUP.map((hex) => {
      const bytes = Buffer.from(hex, "hex");
      bytes[31] = (bytes[31] ?? 0) & 0x7f;
      return bytes.toString("hex");
    }),
  ),
].map((hex) => Buffer.from(hex, "hex"));

/** A key pair bound to one seed; the OpenSSL key object is built once. */
export interface Ed25519KeyPair {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_BYTES) {
    throw new TypeError(`seed: expected ${ED25519_SEED_BYTES} bytes`);
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_SEED_HEADER, seed]), format: "der", type: "pkcs8" });
}

function publicKeyBytes(privateKey: KeyObject): Uint8Array {
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x as string, "base64url"));
}

/** A fresh random 32-byte seed (keep it in a 0600 key file: `writeKeyFile`). */
export function generateEd25519Seed(): Uint8Array {
  return new Uint8Array(randomBytes(ED25519_SEED_BYTES));
}

/** The 32-byte public key of a 32-byte seed. Throws a TypeError for a seed of another length. */
export function ed25519PublicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return publicKeyBytes(privateKeyObject(seed));
}

/** The key pair of a 32-byte seed: its public key and a signer. Throws a TypeError for a seed of another length. */
export function ed25519KeyPair(seed: Uint8Array): Ed25519KeyPair {
  const privateKey = privateKeyObject(seed);
  return {
    publicKey: publicKeyBytes(privateKey),
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

/**
 * The cheap part of the key check, done on every verification: 32 bytes, y < p, and not a small-order point. Keys
 * that pass may still fail to decode (no curve point has that y); OpenSSL then refuses every signature.
 */
export function isStrictEd25519PublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  if (!hasCanonicalY(publicKey)) return false;
  const y = Buffer.from(publicKey);
  y[31] = (y[31] ?? 0) & 0x7f;
  return !SMALL_ORDER_Y.some((small) => small.equals(y));
}

/**
 * Whether `publicKey` is a usable identity key: a canonical encoding of a curve point that is not of small order.
 * Decodes the point (about 0.1 ms), so callers that see the same keys again cache the answer.
 */
export function isValidEd25519PublicKeyBytes(publicKey: Uint8Array): boolean {
  if (!isStrictEd25519PublicKey(publicKey)) return false;
  try {
    noble.Point.fromBytes(publicKey, false);
    return true;
  } catch {
    return false;
  }
}

/** Verifies `signature` over `message` under `publicKey`, strictly (see above); false for any malformed input. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  if (!isStrictEd25519PublicKey(publicKey)) return false;
  try {
    const key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") },
      format: "jwk",
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** p = 2^255 - 19, little-endian: an encoded y (the low 255 bits) is canonical when it is below p. */
function hasCanonicalY(encoded: Uint8Array): boolean {
  if (((encoded[31] ?? 0) & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (encoded[i] !== 0xff) return true;
  return (encoded[0] ?? 0) < 0xed;
}
