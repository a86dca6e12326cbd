/** Scalar arithmetic in Fr (the order r of G1, G2 and GT) on plain bigints, shared by every backend. */

/** The prime order r of the BLS12-381 groups. */
export const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/** Bytes of a canonical big-endian scalar encoding. */
export const SCALAR_BYTES = 32;

/** A source of randomness: returns `n` fresh uniformly random bytes. */
export type Rng = (n: number) => Uint8Array;

export const defaultRng: Rng = (n) => crypto.getRandomValues(new Uint8Array(n));

export function mod(a: bigint): bigint {
  const x = a % R;
  return x < 0n ? x + R : x;
}

export function add(a: bigint, b: bigint): bigint {
  return mod(a + b);
}

export function sub(a: bigint, b: bigint): bigint {
  return mod(a - b);
}

export function mul(a: bigint, b: bigint): bigint {
  return (a * b) % R;
}

/** Multiplicative inverse by Fermat; `a` must be nonzero mod r. */
export function inv(a: bigint): bigint {
  const x = mod(a);
  if (x === 0n) throw new RangeError("inv: zero has no inverse");
  let result = 1n;
  let base = x;
  let e = R - 2n;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % R;
    base = (base * base) % R;
    e >>= 1n;
  }
  return result;
}

export function isScalar(x: unknown): x is bigint {
  return typeof x === "bigint" && x >= 0n && x < R;
}

/** Throws a TypeError/RangeError naming `name` unless `x` is a bigint in [0, r). */
export function assertScalar(x: unknown, name: string): asserts x is bigint {
  if (typeof x !== "bigint") throw new TypeError(`${name}: expected a bigint scalar, got ${typeof x}`);
  if (x < 0n || x >= R) throw new RangeError(`${name}: scalar out of range [0, r)`);
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

export function scalarToBytes(x: bigint): Uint8Array {
  const out = new Uint8Array(SCALAR_BYTES);
  let v = x;
  for (let i = SCALAR_BYTES - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function draw(rng: Rng, n: number): Uint8Array {
  const bytes = rng(n);
  if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
    throw new TypeError(
      `rng: expected ${n} random bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`,
    );
  }
  return bytes;
}

/** A uniformly random nonzero scalar (48 bytes reduced mod r: bias below 2^-128). */
export function randomScalar(rng: Rng): bigint {
  for (;;) {
    const x = bytesToBigInt(draw(rng, 48)) % R;
    if (x !== 0n) return x;
  }
}

/** A uniformly random nonzero integer below 2^bits (batch-verification weights). */
export function randomShortScalar(rng: Rng, bits: number): bigint {
  for (;;) {
    const x = bytesToBigInt(draw(rng, bits / 8));
    if (x !== 0n) return x;
  }
}
