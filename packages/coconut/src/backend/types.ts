/**
 * The group arithmetic the scheme needs, behind one small interface so the protocol code is written once and a faster
 * engine can be swapped in. Every backend must produce byte-identical encodings from identical inputs: the scheme draws
 * all randomness and does all scalar arithmetic itself (bigints mod r), so a backend only maps scalars and points to
 * points, booleans and canonical bytes.
 *
 * Points are opaque to the scheme; values from one backend must never be passed to another.
 */

declare const g1Brand: unique symbol;
declare const g2Brand: unique symbol;
declare const tableBrand: unique symbol;

/** An element of G1 (opaque, backend-specific). */
export type G1 = { readonly [g1Brand]: true };
/** An element of G2 (opaque, backend-specific). */
export type G2 = { readonly [g2Brand]: true };
/** A fixed-base precomputation for one G2 point (opaque, backend-specific). */
export type G2Table = { readonly [tableBrand]: true };

/** What `Backend.decodeMany` gives: per input, a point or the reason it was refused. */
export interface DecodedPoints {
  g1: (G1 | RangeError)[];
  g2: (G2 | RangeError)[];
}

/** decodeMany by decoding one point at a time (the pure-JavaScript and WebAssembly backends). */
export function decodeEach(
  b: Pick<Backend, "g1FromBytes" | "g2FromBytes">,
  g1: readonly Uint8Array[],
  g2: readonly Uint8Array[],
): DecodedPoints {
  const each = <P>(from: (x: Uint8Array) => P, x: Uint8Array): P | RangeError => {
    try {
      return from(x);
    } catch (e) {
      return e instanceof RangeError ? e : new RangeError((e as Error).message);
    }
  };
  return { g1: g1.map((x) => each(b.g1FromBytes, x)), g2: g2.map((x) => each(b.g2FromBytes, x)) };
}

export interface Backend {
  /** A short name for logs and benchmark tables ("noble", "mcl"). */
  readonly name: string;

  /** True iff `x` is a G1 element of this backend (a runtime type check, not a subgroup check). */
  isG1(x: unknown): x is G1;
  /** True iff `x` is a G2 element of this backend. */
  isG2(x: unknown): x is G2;

  g1Generator(): G1;
  g1Identity(): G1;
  g1Add(a: G1, b: G1): G1;
  g1Neg(a: G1): G1;
  /** [k]a for any 0 <= k < r. */
  g1Mul(a: G1, k: bigint): G1;
  /** [k]a in constant time, for secret scalars (issuer keys): slower than g1Mul. */
  g1MulSecret(a: G1, k: bigint): G1;
  /** Σ [k_i]a_i; the empty sum is the identity. Variable time: public scalars, or secrets only on the holder's machine. */
  g1Msm(points: readonly G1[], scalars: readonly bigint[]): G1;
  g1Eq(a: G1, b: G1): boolean;
  g1IsIdentity(a: G1): boolean;
  /** 48-byte ZCash/IETF compressed encoding. */
  g1ToBytes(a: G1): Uint8Array;
  /** Decodes a canonical compressed point on the curve and in the prime-order subgroup; throws otherwise. */
  g1FromBytes(bytes: Uint8Array): G1;
  /** [k_i]P_i for each i: many multiplications by public scalars (variable time) in one call. */
  g1MulMany(points: readonly G1[], scalars: readonly bigint[]): G1[];
  /** RFC 9380 hash_to_curve, suite BLS12381G1_XMD:SHA-256_SSWU_RO_, with the given domain separation tag. */
  hashToG1(msg: Uint8Array, dst: Uint8Array): G1;

  g2Generator(): G2;
  g2Identity(): G2;
  g2Add(a: G2, b: G2): G2;
  g2Neg(a: G2): G2;
  g2Mul(a: G2, k: bigint): G2;
  g2Msm(points: readonly G2[], scalars: readonly bigint[]): G2;
  g2Eq(a: G2, b: G2): boolean;
  g2IsIdentity(a: G2): boolean;
  /** 96-byte ZCash/IETF compressed encoding. */
  g2ToBytes(a: G2): Uint8Array;
  g2FromBytes(bytes: Uint8Array): G2;
  /**
   * Decodes many compressed points at once (one call into the native addon on blst), each checked exactly as
   * g1FromBytes / g2FromBytes check one. A point that does not decode is, in its place, the RangeError g1FromBytes /
   * g2FromBytes would have thrown: one bad point costs the others nothing.
   */
  decodeMany(g1: readonly Uint8Array[], g2: readonly Uint8Array[]): DecodedPoints;

  /** Precomputes a fixed-base table for `base` (for g2, alpha and the betas, which every verification multiplies). */
  g2Precompute(base: G2): G2Table;
  /** Σ [k_i]B_i over precomputed bases. */
  g2FixedMsm(tables: readonly G2Table[], scalars: readonly bigint[]): G2;

  /** True iff Π e(P_i, Q_i) = 1, computed as one multi-Miller loop and a single final exponentiation. */
  pairingCheck(pairs: readonly (readonly [G1, G2])[]): boolean;
  /** One full pairing e(P, Q) (Miller loop and final exponentiation): the benchmark's unit of cost. */
  pairing(p: G1, q: G2): unknown;
}
