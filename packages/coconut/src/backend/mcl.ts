import mclDefault from "mcl-wasm";
import mclInternals from "mcl-wasm/dist/mcl.js";
import { fromHex } from "../bytes.js";
import { R } from "../fr.js";
import { type Backend, decodeEach, type G1, type G2, type G2Table } from "./types.js";

type Mcl = typeof import("mcl-wasm");
type MG1 = InstanceType<Mcl["G1"]>;
type MG2 = InstanceType<Mcl["G2"]>;

/** The raw emscripten module: exported C functions take pointers into the wasm heap. */
interface RawModule {
  _malloc(n: number): number;
  _free(p: number): void;
  _mclBnG1_hashAndMapToWithDst(out: number, msg: number, msgLen: number, dst: number, dstLen: number): number;
  _mclBnG1_mulCT(out: number, a: number, k: number): void;
  _mclBnG2_add(out: number, a: number, b: number): void;
  _mclBnG2_sub(out: number, a: number, b: number): void;
  _mclBnG2_dbl(out: number, a: number): void;
  _mclBnG2_clear(p: number): void;
  _mclBnG2_normalizeVec(out: number, x: number, n: number): void;
  _mclBn_millerLoopVec(out: number, g1s: number, g2s: number, n: number): void;
}

const mcl = mclDefault as unknown as Mcl;
const internals = mclInternals as unknown as { mod: RawModule; getMemory(): { buffer: ArrayBuffer } };

const FP = 48;
const G1_SIZE = FP * 3;
const G2_SIZE = FP * 6;
const GT_SIZE = FP * 12;

/** Signed fixed windows of this many bits: 2^(W-1) entries per window, ceil(256/W)+1 windows. */
const W = 10;
const HALF = 1 << (W - 1);
const WINDOWS = Math.ceil(256 / W) + 1;
const MASK = BigInt((1 << W) - 1);

const m1 = (a: G1) => a as unknown as MG1;
const m2 = (a: G2) => a as unknown as MG2;
const w1 = (a: MG1) => a as unknown as G1;
const w2 = (a: MG2) => a as unknown as G2;

function fr(k: bigint): InstanceType<Mcl["Fr"]> {
  if (k < 0n || k >= R) throw new RangeError("scalar out of range [0, r)");
  const x = new mcl.Fr();
  x.setStr(k.toString(16), 16);
  return x;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

interface Table {
  /** WINDOWS × HALF normalized points: entry (i, d) = [d·2^(W·i)]B for d = 1..HALF. */
  ptr: number;
}

/** Signed base-2^W digits of k (each in [-2^(W-1), 2^(W-1)]), least significant first. */
function signedDigits(k: bigint): Int32Array {
  const digits = new Int32Array(WINDOWS);
  let v = k;
  let carry = 0;
  for (let i = 0; i < WINDOWS; i++) {
    let d = Number(v & MASK) + carry;
    v >>= BigInt(W);
    if (d > HALF) {
      d -= 1 << W;
      carry = 1;
    } else {
      carry = 0;
    }
    digits[i] = d;
  }
  return digits;
}

let ready: Promise<Backend> | undefined;

/**
 * The fast backend: herumi's mcl compiled to WebAssembly (`mcl-wasm`), in BLS12-381 mode with the ZCash/IETF
 * serialization (so bytes agree with noble), RFC 9380 hash-to-curve and subgroup checks on every deserialization. It
 * adds signed fixed-window tables in the wasm heap for the fixed G2 bases, and calls mcl's multi-Miller loop directly.
 *
 * mcl-wasm keeps one global curve setting per process: this backend owns it (do not initialize mcl-wasm for another
 * curve in the same process). The promise is memoized.
 */
export function mclBackend(): Promise<Backend> {
  ready ??= create();
  return ready;
}

async function create(): Promise<Backend> {
  await mcl.init(mcl.BLS12_381);
  mcl.setETHserialization(true);
  mcl.setMapToMode(mcl.IRTF);
  // Decoding checks the subgroup explicitly (decode() below), so mcl's implicit check on deserialize would only
  // repeat the same work.
  mcl.verifyOrderG1(false);
  mcl.verifyOrderG2(false);
  const mod = internals.mod;
  const heap = () => new Uint8Array(internals.getMemory().buffer);

  const g1Gen = new mcl.G1();
  // The standard generator (ZCash encoding of the IETF/BLS12-381 G1 base point).
  g1Gen.deserialize(
    fromHex("97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"),
  );
  const g2Gen = new mcl.G2();
  g2Gen.deserialize(
    fromHex(
      "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e" +
        "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8",
    ),
  );
  const g1Zero = new mcl.G1();
  const g2Zero = new mcl.G2();

  const decode = <P extends MG1 | MG2>(make: () => P, bytes: Uint8Array, size: number, name: string): P => {
    if (bytes.length !== size) throw new RangeError(`${name}: expected ${size} bytes, got ${bytes.length}`);
    const p = make();
    try {
      p.deserialize(bytes);
    } catch {
      throw new RangeError(`${name}: invalid point encoding (not a compressed point on the curve)`);
    }
    // decompression already put the point on the curve; membership of the r-torsion is the expensive part
    if (!p.isValidOrder()) throw new RangeError(`${name}: point not in the prime-order subgroup`);
    if (!sameBytes(p.serialize(), bytes)) throw new RangeError(`${name}: non-canonical point encoding`);
    return p;
  };

  const g2Lines = new mcl.PrecomputedG2(g2Gen);

  /** Π e(P_i, Q_i) before the final exponentiation, as one multi-Miller loop (the empty product is one). */
  const millerLoopVec = (pairs: readonly (readonly [G1, G2])[]): InstanceType<Mcl["GT"]> => {
    const out = new mcl.GT();
    const n = pairs.length;
    if (n === 0) {
      out.setInt(1);
      return out;
    }
    const mem = mod._malloc(n * (G1_SIZE + G2_SIZE) + GT_SIZE);
    try {
      const a = mem;
      const b = mem + n * G1_SIZE;
      const gt = b + n * G2_SIZE;
      pairs.forEach(([p, q], i) => {
        m1(p).copyToMem(a + i * G1_SIZE);
        m2(q).copyToMem(b + i * G2_SIZE);
      });
      mod._mclBn_millerLoopVec(gt, a, b, n);
      out.copyFromMem(gt);
      return out;
    } finally {
      mod._free(mem);
    }
  };

  const tmpA = mod._malloc(G2_SIZE);
  // Tables live in the wasm heap, outside the JS garbage collector: free one when its handle is collected.
  const tableMemory = new FinalizationRegistry<number>((ptr) => mod._free(ptr));

  const precompute = (base: MG2): Table => {
    const ptr = mod._malloc(WINDOWS * HALF * G2_SIZE);
    if (!ptr) throw new RangeError("g2Precompute: out of wasm memory");
    // tmpA holds 2^(W·i)·B for the current window i.
    base.copyToMem(tmpA);
    for (let i = 0; i < WINDOWS; i++) {
      const row = ptr + i * HALF * G2_SIZE;
      heap().copyWithin(row, tmpA, tmpA + G2_SIZE);
      for (let d = 1; d < HALF; d++) mod._mclBnG2_add(row + d * G2_SIZE, row + (d - 1) * G2_SIZE, tmpA);
      // next window base: 2^W·(2^(W·i)·B) = 2·(HALF·2^(W·i)·B)
      mod._mclBnG2_dbl(tmpA, row + (HALF - 1) * G2_SIZE);
      mod._mclBnG2_normalizeVec(row, row, HALF);
    }
    const table = { ptr };
    tableMemory.register(table, ptr);
    return table;
  };

  const fixedMsm = (tables: readonly Table[], scalars: readonly bigint[]): MG2 => {
    const acc = mod._malloc(G2_SIZE);
    mod._mclBnG2_clear(acc);
    tables.forEach((t, j) => {
      const k = scalars[j] as bigint;
      if (k < 0n || k >= R) throw new RangeError("scalar out of range [0, r)");
      // use the shorter of k and -k (a 128-bit challenge negated is still 128 bits)
      const neg = k > R >> 1n;
      const digits = signedDigits(neg ? R - k : k);
      for (let i = 0; i < WINDOWS; i++) {
        const d = digits[i] as number;
        if (d === 0) continue;
        const entry = t.ptr + (i * HALF + Math.abs(d) - 1) * G2_SIZE;
        if (d > 0 !== neg) mod._mclBnG2_add(acc, acc, entry);
        else mod._mclBnG2_sub(acc, acc, entry);
      }
    });
    const out = new mcl.G2();
    out.copyFromMem(acc);
    mod._free(acc);
    return out;
  };

  const backend: Backend = {
    name: "mcl",
    isG1: (x): x is G1 => x instanceof mcl.G1,
    isG2: (x): x is G2 => x instanceof mcl.G2,
    g1Generator: () => w1(g1Gen),
    g1Identity: () => w1(g1Zero),
    g1Add: (a, b) => w1(mcl.add(m1(a), m1(b))),
    g1Neg: (a) => w1(mcl.neg(m1(a))),
    g1Mul: (a, k) => w1(mcl.mul(m1(a), fr(k))),
    g1MulSecret: (a, k) => {
      const x = fr(k);
      const mem = mod._malloc(2 * G1_SIZE + 32);
      try {
        m1(a).copyToMem(mem + G1_SIZE);
        x.copyToMem(mem + 2 * G1_SIZE);
        mod._mclBnG1_mulCT(mem, mem + G1_SIZE, mem + 2 * G1_SIZE);
        const out = new mcl.G1();
        out.copyFromMem(mem);
        return w1(out);
      } finally {
        mod._free(mem);
      }
    },
    g1Msm: (points, scalars) =>
      points.length === 0
        ? w1(g1Zero)
        : w1(
            mcl.mulVec(
              points.map(m1),
              scalars.map((k) => fr(k)),
            ),
          ),
    g1Eq: (a, b) => m1(a).isEqual(m1(b)),
    g1IsIdentity: (a) => m1(a).isZero(),
    g1ToBytes: (a) => m1(a).serialize(),
    g1FromBytes: (bytes) => w1(decode(() => new mcl.G1(), bytes, 48, "G1")),
    g1MulMany: (points, scalars) => {
      if (points.length !== scalars.length) throw new RangeError("g1MulMany: points and scalars differ in length");
      return points.map((p, i) => w1(mcl.mul(m1(p), fr(scalars[i] as bigint))));
    },
    hashToG1: (msg, dst) => {
      const mem = mod._malloc(G1_SIZE + msg.length + dst.length + 8);
      try {
        const mp = mem + G1_SIZE;
        const dp = mp + msg.length;
        heap().set(msg, mp);
        heap().set(dst, dp);
        if (mod._mclBnG1_hashAndMapToWithDst(mem, mp, msg.length, dp, dst.length) !== 0) {
          throw new RangeError("hashToG1: mcl hash-to-curve failed");
        }
        const p = new mcl.G1();
        p.copyFromMem(mem);
        return w1(p);
      } finally {
        mod._free(mem);
      }
    },

    g2Generator: () => w2(g2Gen),
    g2Identity: () => w2(g2Zero),
    g2Add: (a, b) => w2(mcl.add(m2(a), m2(b))),
    g2Neg: (a) => w2(mcl.neg(m2(a))),
    g2Mul: (a, k) => w2(mcl.mul(m2(a), fr(k))),
    g2Msm: (points, scalars) =>
      points.length === 0
        ? w2(g2Zero)
        : w2(
            mcl.mulVec(
              points.map(m2),
              scalars.map((k) => fr(k)),
            ),
          ),
    g2Eq: (a, b) => m2(a).isEqual(m2(b)),
    g2IsIdentity: (a) => m2(a).isZero(),
    g2ToBytes: (a) => m2(a).serialize(),
    g2FromBytes: (bytes) => w2(decode(() => new mcl.G2(), bytes, 96, "G2")),
    decodeMany: (g1s, g2s) => decodeEach(backend, g1s, g2s),

    g2Precompute: (base) => precompute(m2(base)) as unknown as G2Table,
    g2FixedMsm: (tables, scalars) => w2(fixedMsm(tables as unknown as Table[], scalars)),

    pairingCheck: (pairs) => {
      // Pairs against the generator g2 share its precomputed line functions: e(P1, g2)·e(P2, g2) = e(P1 + P2, g2),
      // so they cost one precomputed Miller loop in total. The others go through one multi-Miller loop.
      let genSum: MG1 | undefined;
      const rest: (readonly [G1, G2])[] = [];
      for (const pair of pairs) {
        if (pair[1] === w2(g2Gen)) genSum = genSum ? mcl.add(genSum, m1(pair[0])) : m1(pair[0]);
        else rest.push(pair);
      }
      let f: InstanceType<Mcl["GT"]>;
      if (genSum && rest.length === 1) {
        const [p, q] = rest[0] as readonly [G1, G2];
        f = mcl.precomputedMillerLoop2mixed(m1(p), m2(q), genSum, g2Lines);
      } else {
        f = millerLoopVec(rest);
        if (genSum) f = mcl.mul(f, mcl.precomputedMillerLoop(genSum, g2Lines));
      }
      return mcl.finalExp(f).isOne();
    },
    pairing: (p, q) => mcl.pairing(m1(p), m2(q)),
  };
  return backend;
}
