import { bls12_381 } from "@noble/curves/bls12-381.js";
import { R } from "../fr.js";
import { type Backend, decodeEach, type G1, type G2, type G2Table } from "./types.js";

type P1 = InstanceType<typeof bls12_381.G1.Point>;
type P2 = InstanceType<typeof bls12_381.G2.Point>;

const G1P = bls12_381.G1.Point;
const G2P = bls12_381.G2.Point;
const Fp12 = bls12_381.fields.Fp12;

const p1 = (a: G1) => a as unknown as P1;
const p2 = (a: G2) => a as unknown as P2;
const g1 = (a: P1) => a as unknown as G1;
const g2 = (a: P2) => a as unknown as G2;

function mulScalar<P extends { multiply(k: bigint): P; multiplyUnsafe(k: bigint): P }>(point: P, k: bigint, zero: P) {
  if (k < 0n || k >= R) throw new RangeError("scalar out of range [0, r)");
  return k === 0n ? zero : point.multiply(k);
}

function strict<P extends { assertValidity(): void; toBytes(c?: boolean): Uint8Array }>(
  parse: () => P,
  bytes: Uint8Array,
  name: string,
): P {
  let p: P;
  try {
    p = parse();
    p.assertValidity();
  } catch (e) {
    throw new RangeError(`${name}: invalid point encoding (${(e as Error).message})`);
  }
  const again = p.toBytes(true);
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
    throw new RangeError(`${name}: non-canonical point encoding`);
  }
  return p;
}

/** The reference backend: pure JavaScript `@noble/curves` (audited, slow). */
export function nobleBackend(): Backend {
  const backend: Backend = {
    name: "noble",
    isG1: (x): x is G1 => x instanceof G1P,
    isG2: (x): x is G2 => x instanceof G2P,
    g1Generator: () => g1(G1P.BASE),
    g1Identity: () => g1(G1P.ZERO),
    g1Add: (a, b) => g1(p1(a).add(p1(b))),
    g1Neg: (a) => g1(p1(a).negate()),
    g1Mul: (a, k) => g1(mulScalar(p1(a), k, G1P.ZERO)),
    // noble's multiply() is already constant-time
    g1MulSecret: (a, k) => g1(mulScalar(p1(a), k, G1P.ZERO)),
    g1Msm: (points, scalars) => {
      let acc = G1P.ZERO;
      points.forEach((p, i) => {
        acc = acc.add(mulScalar(p1(p), scalars[i] as bigint, G1P.ZERO));
      });
      return g1(acc);
    },
    g1Eq: (a, b) => p1(a).equals(p1(b)),
    g1IsIdentity: (a) => p1(a).is0(),
    g1ToBytes: (a) => p1(a).toBytes(true),
    g1FromBytes: (bytes) => {
      if (bytes.length !== 48) throw new RangeError(`G1: expected 48 bytes, got ${bytes.length}`);
      return g1(strict(() => G1P.fromBytes(bytes), bytes, "G1"));
    },
    g1MulMany: (points, scalars) => {
      if (points.length !== scalars.length) throw new RangeError("g1MulMany: points and scalars differ in length");
      return points.map((p, i) => g1(mulScalar(p1(p), scalars[i] as bigint, G1P.ZERO)));
    },
    hashToG1: (msg, dst) => g1(bls12_381.G1.hashToCurve(msg, { DST: dst }) as unknown as P1),

    g2Generator: () => g2(G2P.BASE),
    g2Identity: () => g2(G2P.ZERO),
    g2Add: (a, b) => g2(p2(a).add(p2(b))),
    g2Neg: (a) => g2(p2(a).negate()),
    g2Mul: (a, k) => g2(mulScalar(p2(a), k, G2P.ZERO)),
    g2Msm: (points, scalars) => {
      let acc = G2P.ZERO;
      points.forEach((p, i) => {
        acc = acc.add(mulScalar(p2(p), scalars[i] as bigint, G2P.ZERO));
      });
      return g2(acc);
    },
    g2Eq: (a, b) => p2(a).equals(p2(b)),
    g2IsIdentity: (a) => p2(a).is0(),
    g2ToBytes: (a) => p2(a).toBytes(true),
    g2FromBytes: (bytes) => {
      if (bytes.length !== 96) throw new RangeError(`G2: expected 96 bytes, got ${bytes.length}`);
      return g2(strict(() => G2P.fromBytes(bytes), bytes, "G2"));
    },
    decodeMany: (g1s, g2s) => decodeEach(backend, g1s, g2s),

    // noble keeps its own wNAF caches per point; the "table" is the point itself.
    g2Precompute: (base) => base as unknown as G2Table,
    g2FixedMsm: (tables, scalars) => {
      let acc = G2P.ZERO;
      tables.forEach((t, i) => {
        acc = acc.add(mulScalar(t as unknown as P2, scalars[i] as bigint, G2P.ZERO));
      });
      return g2(acc);
    },

    pairingCheck: (pairs) => {
      const live = pairs.filter(([a, b]) => !p1(a).is0() && !p2(b).is0());
      const gt = bls12_381.pairingBatch(live.map(([a, b]) => ({ g1: p1(a), g2: p2(b) })));
      return Fp12.eql(gt, Fp12.ONE);
    },
    pairing: (a, b) => bls12_381.pairing(p1(a), p2(b)),
  };
  return backend;
}
