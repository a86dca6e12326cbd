/**
 * Scalar arithmetic mod the prime order l of Curve25519's main subgroup, used by the packet builder to turn the
 * per-hop chain of clamped X25519 blindings into a single scalar multiplication per hop.
 *
 * nym (version 258) blinds alpha at each hop as alpha' = X25519(clamp(b), alpha). For alpha in the prime-order
 * subgroup (alpha_0 = x*B), that is (clamp(b) mod l) * alpha, so hop i's shared secret is
 *   s_i = u((x * clamp(b_0) * ... * clamp(b_{i-1}) mod l) * pk_i)     (the torsion part of pk_i is killed by the
 * multiple-of-8 clamped scalars either way). Native X25519 only accepts clamped scalars k = 2^254 + 8m, 0 <= m <
 * 2^251, so we look for such k with k = +c or -c (mod l) (the u-coordinate does not see the sign). With
 * l = 2^252 + d, m(c) + m(-c) = d (mod l), so one of the two fits unless m(c) lies in [2^251, 2^251 + 2d]: a ~2^-124
 * fraction of uniformly random c (c is uniform here), though it contains small multiples of 8 such as 56. The builder
 * falls back to the chained computation in that case.
 */

export const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const TWO_254 = 1n << 254n;
const TWO_251 = 1n << 251n;

function mod(a: bigint): bigint {
  const r = a % L;
  return r < 0n ? r + L : r;
}

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % L;
    b = (b * b) % L;
    e >>= 1n;
  }
  return result;
}

const INV8 = modPow(8n, L - 2n);

const MASK64 = (1n << 64n) - 1n;

/** 32 little-endian bytes to an integer, four 64-bit words at a time. */
export function bytesToScalar(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 32);
  return (
    view.getBigUint64(0, true) |
    (view.getBigUint64(8, true) << 64n) |
    (view.getBigUint64(16, true) << 128n) |
    (view.getBigUint64(24, true) << 192n)
  );
}

/** An integer below 2^256 to 32 little-endian bytes. */
export function scalarToBytes(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, x & MASK64, true);
  view.setBigUint64(8, (x >> 64n) & MASK64, true);
  view.setBigUint64(16, (x >> 128n) & MASK64, true);
  view.setBigUint64(24, (x >> 192n) & MASK64, true);
  return out;
}

/** RFC 7748 clamping, on a copy. */
export function clamp(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[0]! &= 248;
  out[31]! &= 127;
  out[31]! |= 64;
  return out;
}

export function mulModL(a: bigint, b: bigint): bigint {
  return (a * b) % L;
}

/** 2^254 / 8 mod l: k = 2^254 + 8m is congruent to c exactly when m = c/8 - EIGHTH_OF_TWO_254 (mod l). */
const EIGHTH_OF_TWO_254 = mod(TWO_254 * INV8);

/** c / 8 mod l, the form `representativeOfEighth` takes (the builder keeps its running product in it). */
export function eighth(c: bigint): bigint {
  return mod(c * INV8);
}

/**
 * `clampedRepresentative(8e mod l)`, from e directly: the sender keeps its running product divided by 8, so each
 * hop costs one multiplication mod l and no more (m(+c) = e - 2^254/8, m(-c) = -e - 2^254/8, both mod l).
 */
export function representativeOfEighth(e: bigint): Uint8Array | undefined {
  const d = mod(e);
  if (d === 0n) return undefined;
  let m = d - EIGHTH_OF_TWO_254;
  if (m < 0n) m += L;
  if (m < TWO_251) return scalarToBytes(TWO_254 + 8n * m);
  m = L - d - EIGHTH_OF_TWO_254;
  if (m < 0n) m += L;
  if (m < TWO_251) return scalarToBytes(TWO_254 + 8n * m);
  return undefined;
}

/** A clamped 32-byte scalar k with k*P = +-c*P for P in the prime-order subgroup, or undefined if none exists. */
export function clampedRepresentative(c: bigint): Uint8Array | undefined {
  return representativeOfEighth(eighth(c));
}
