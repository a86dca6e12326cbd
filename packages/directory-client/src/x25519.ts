/**
 * The check on X25519 (Sphinx) public keys that the directory applies before storing one and that topology consumers
 * apply before routing through one. X25519 itself accepts any 32 bytes (RFC 7748 masks the top bit and reduces u mod
 * p), but a key of small order gives an all-zero shared secret, which both Sphinx backends refuse
 * (SPHINX_ERROR_INVALID_POINT): a node that registers one can never be used, and a packet built through it cannot be
 * made at all. A key is refused when:
 * - it is not 32 bytes;
 * - it is not canonical: u >= p = 2^255 - 19 as a 256-bit little-endian number (top bit set included), so one
 *   point has one encoding;
 * - u is the coordinate of a point of small order on the curve or its twist: 0, 1, -1 and the two u of order 8
 *   (the canonical ones of libsodium's list; p and p + 1, the rest of that list, are not canonical).
 * Twist points of large order are fine: Curve25519 is twist-secure and a Diffie-Hellman with one gives a usable secret.
 */

export const X25519_PUBLIC_KEY_BYTES = 32;

/** Little-endian u-coordinates of small order, canonical encodings only. */
const SMALL_ORDER_U = [
  "0000000000000000000000000000000000000000000000000000000000000000", // 0 (order 2)
  "0100000000000000000000000000000000000000000000000000000000000000", // 1 (order 4)
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p - 1 = -1 (order 4 on the twist)
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
].map((hex) => Buffer.from(hex, "hex"));

/** u < p = 2^255 - 19 for a 32-byte little-endian u (the top bit set makes it >= 2^255 > p). */
function isCanonical(u: Uint8Array): boolean {
  const top = u[31] ?? 0;
  if (top < 0x7f) return true;
  if (top > 0x7f) return false;
  for (let i = 30; i > 0; i--) if (u[i] !== 0xff) return true;
  return (u[0] ?? 0) < 0xed;
}

/** Whether 32 raw bytes are a usable X25519 public key: canonical and not of small order (see above). */
export function isValidX25519PublicKeyBytes(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_PUBLIC_KEY_BYTES) return false;
  if (!isCanonical(publicKey)) return false;
  const u = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength);
  return !SMALL_ORDER_U.some((small) => small.equals(u));
}

const HEX_KEY = /^[0-9a-f]{64}$/;

/** `isValidX25519PublicKeyBytes` of a key in the directory's form: 64 lowercase hex digits. */
export function isValidX25519PublicKey(publicKeyHex: string): boolean {
  return (
    typeof publicKeyHex === "string" &&
    HEX_KEY.test(publicKeyHex) &&
    isValidX25519PublicKeyBytes(new Uint8Array(Buffer.from(publicKeyHex, "hex")))
  );
}
