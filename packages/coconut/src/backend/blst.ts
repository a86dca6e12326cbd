import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { R } from "../fr.js";
import { mclBackend } from "./mcl.js";
import type { Backend, DecodedPoints, G1, G2, G2Table } from "./types.js";

/**
 * The N-API surface of the Rust addon in packages/coconut/native (src/lib.rs documents each function). Points are
 * Buffers holding blst's projective structs (144 bytes in G1, 288 in G2); scalar lists are concatenated 32-byte
 * big-endian values below r.
 */
interface Native {
  g1Identity(): Uint8Array;
  g1Generator(): Uint8Array;
  g1Add(a: Uint8Array, b: Uint8Array): Uint8Array;
  g1Neg(a: Uint8Array): Uint8Array;
  g1Mul(a: Uint8Array, k: Uint8Array, constantTime: boolean): Uint8Array;
  g1Msm(points: Uint8Array, scalars: Uint8Array): Uint8Array;
  g1Eq(a: Uint8Array, b: Uint8Array): boolean;
  g1IsIdentity(a: Uint8Array): boolean;
  g1ToBytes(a: Uint8Array): Uint8Array;
  g1FromBytes(bytes: Uint8Array): Uint8Array;
  g1MulMany(points: Uint8Array, scalars: Uint8Array): Uint8Array;
  decompressMany(g1s: Uint8Array, g2s: Uint8Array): Uint8Array;
  hashToG1(msg: Uint8Array, dst: Uint8Array): Uint8Array;
  g2Identity(): Uint8Array;
  g2Generator(): Uint8Array;
  g2Add(a: Uint8Array, b: Uint8Array): Uint8Array;
  g2Neg(a: Uint8Array): Uint8Array;
  g2Mul(a: Uint8Array, k: Uint8Array, constantTime: boolean): Uint8Array;
  g2Msm(points: Uint8Array, scalars: Uint8Array): Uint8Array;
  g2Eq(a: Uint8Array, b: Uint8Array): boolean;
  g2IsIdentity(a: Uint8Array): boolean;
  g2ToBytes(a: Uint8Array): Uint8Array;
  g2FromBytes(bytes: Uint8Array): Uint8Array;
  g2Precompute(base: Uint8Array): Uint8Array;
  g2FixedMsm(tables: Uint8Array[], scalars: Uint8Array, negate: Uint8Array): Uint8Array;
  pairingCheck(g1s: Uint8Array, g2s: Uint8Array, onGenerator: Uint8Array): boolean;
  pairing(p: Uint8Array, q: Uint8Array): Uint8Array;
}

/** Where scripts/bootstrap.sh links the built addon (relative to this file in src/backend and in dist/backend). */
const ADDON = new URL("../../native/build/nym_coconut_native.node", import.meta.url);

let native: Native | undefined;

function loadNative(): Native {
  if (native) return native;
  const path = fileURLToPath(ADDON);
  if (!existsSync(path)) {
    throw new Error(
      `@nym-ts/coconut: the native blst addon is not built (${path} is missing); run \`make bootstrap\` at the ` +
        "repository root (it builds packages/coconut/native with cargo), or use mclBackend()",
    );
  }
  native = createRequire(import.meta.url)(path) as Native;
  return native;
}

/**
 * A point of this backend: the raw bytes of blst's projective struct, only ever produced by the addon, and its
 * canonical compressed encoding once known (the bytes it was decoded from, or the first g1ToBytes/g2ToBytes): a
 * decoded Θ is re-encoded for its Fiat-Shamir challenge and for ζ, which then costs no call and no inversion. Both
 * are private to this module and never handed out (toBytes returns a copy).
 */
class BlstG1 {
  constructor(
    readonly raw: Uint8Array,
    public bytes?: Uint8Array,
  ) {}
}
class BlstG2 {
  constructor(
    readonly raw: Uint8Array,
    public bytes?: Uint8Array,
  ) {}
}

/** Sizes of blst's projective structs (the raw point bytes) and of the compressed encodings. */
const P1_BYTES = 144;
const P2_BYTES = 288;
/** The messages of the addon's refusal statuses (lib.rs `Refusal`), as g1FromBytes/g2FromBytes throw them. */
const REFUSALS: Record<number, string> = {
  1: "invalid point encoding (flags or coordinate not canonical)",
  2: "invalid point encoding (not on the curve)",
  3: "point not in the prime-order subgroup",
  4: "non-canonical point encoding",
};
/** The infinity flag of a compressed encoding: in a canonical one it is set only on the identity. */
const INFINITY_FLAG = 0x40;
class BlstTable {
  constructor(readonly raw: Uint8Array) {}
}

const b1 = (a: G1) => a as unknown as BlstG1;
const b2 = (a: G2) => a as unknown as BlstG2;
const r1 = (a: G1) => b1(a).raw;
const r2 = (a: G2) => b2(a).raw;
const w1 = (raw: Uint8Array) => new BlstG1(raw) as unknown as G1;
const w2 = (raw: Uint8Array) => new BlstG2(raw) as unknown as G2;

/** 32-byte big-endian encodings of scalars in [0, r), concatenated. */
function scalarBytes(ks: readonly bigint[]): Buffer {
  const out = Buffer.alloc(32 * ks.length);
  ks.forEach((k, i) => {
    if (typeof k !== "bigint") throw new TypeError("scalar: expected a bigint");
    if (k < 0n || k >= R) throw new RangeError("scalar out of range [0, r)");
    out.write(k.toString(16).padStart(64, "0"), 32 * i, 32, "hex");
  });
  return out;
}

function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

function checkLengths(points: readonly unknown[], scalars: readonly bigint[]): void {
  if (points.length !== scalars.length) throw new RangeError("msm: points and scalars differ in length");
}

let memo: Backend | undefined;

/**
 * The native backend: supranational's blst (C with assembly, constant-time where it matters) in a small Rust N-API
 * addon built from packages/coconut/native by `make bootstrap`. ZCash/IETF compressed encodings with on-curve,
 * subgroup and canonicity checks on every decode; RFC 9380 hash-to-G1; pippenger MSMs; constant-time
 * g1MulSecret (blst's GLV path at full length whatever the scalar); signed 8-bit fixed-base tables for G2 (no
 * doublings, variable time, like the mcl tables); one multi-Miller loop and one final exponentiation per
 * pairingCheck, with precomputed lines for the generator g2.
 *
 * Synchronous; throws an Error naming `make bootstrap` when the addon is not built. `fastestBackend()` falls back to
 * mcl in that case.
 */
export function blstBackend(): Backend {
  if (memo) return memo;
  const n = loadNative();
  const g1Gen = w1(n.g1Generator());
  const g1Zero = w1(n.g1Identity());
  const g2Gen = w2(n.g2Generator());
  const g2Zero = w2(n.g2Identity());

  const decode = (from: (b: Uint8Array) => Uint8Array, bytes: Uint8Array, size: number, name: string) => {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
    if (bytes.length !== size) throw new RangeError(`${name}: expected ${size} bytes, got ${bytes.length}`);
    try {
      return from(bytes);
    } catch (e) {
      throw new RangeError(`${name}: ${(e as Error).message}`);
    }
  };

  const fixedMsm = (tables: readonly G2Table[], scalars: readonly bigint[]): G2 => {
    checkLengths(tables, scalars);
    // min(k, r − k) with a sign flag: a negated short scalar (e.g. −c for a 128-bit challenge) stays short.
    const negate = new Uint8Array(scalars.length);
    const mags = scalars.map((k, i) => {
      if (typeof k === "bigint" && k > R >> 1n && k < R) {
        negate[i] = 1;
        return R - k;
      }
      return k;
    });
    return w2(
      n.g2FixedMsm(
        tables.map((t) => (t as unknown as BlstTable).raw),
        scalarBytes(mags),
        negate,
      ),
    );
  };

  const decodeMany = (g1s: readonly Uint8Array[], g2s: readonly Uint8Array[]): DecodedPoints => {
    const out: DecodedPoints = { g1: new Array(g1s.length), g2: new Array(g2s.length) };
    // only well-sized encodings go to the addon; `slots` maps each of them back to its place
    const sized = (list: readonly Uint8Array[], size: number, name: string, into: (G1 | G2 | RangeError)[]) => {
      const slots: number[] = [];
      list.forEach((x, i) => {
        if (!(x instanceof Uint8Array)) into[i] = new RangeError(`${name}: expected a Uint8Array`);
        else if (x.length !== size) into[i] = new RangeError(`${name}: expected ${size} bytes, got ${x.length}`);
        else slots.push(i);
      });
      // a copy we own: the points keep views of it as their canonical encodings
      return { slots, bytes: Buffer.concat(slots.map((i) => list[i] as Uint8Array)) };
    };
    const one = sized(g1s, 48, "G1", out.g1);
    const two = sized(g2s, 96, "G2", out.g2);
    const n1 = one.slots.length;
    const n2 = two.slots.length;
    if (n1 + n2 === 0) return out;
    const answer = n.decompressMany(one.bytes, two.bytes);
    const statusAt = n1 * P1_BYTES + n2 * P2_BYTES;
    one.slots.forEach((slot, j) => {
      const status = answer[statusAt + j] as number;
      out.g1[slot] =
        status === 0
          ? (new BlstG1(
              answer.subarray(j * P1_BYTES, (j + 1) * P1_BYTES),
              one.bytes.subarray(48 * j, 48 * (j + 1)),
            ) as unknown as G1)
          : new RangeError(`G1: ${REFUSALS[status] ?? "invalid point encoding"}`);
    });
    const base = n1 * P1_BYTES;
    two.slots.forEach((slot, j) => {
      const status = answer[statusAt + n1 + j] as number;
      out.g2[slot] =
        status === 0
          ? (new BlstG2(
              answer.subarray(base + j * P2_BYTES, base + (j + 1) * P2_BYTES),
              two.bytes.subarray(96 * j, 96 * (j + 1)),
            ) as unknown as G2)
          : new RangeError(`G2: ${REFUSALS[status] ?? "invalid point encoding"}`);
    });
    return out;
  };

  const g1MulMany = (points: readonly G1[], scalars: readonly bigint[]): G1[] => {
    checkLengths(points, scalars);
    if (points.length === 0) return [];
    const all = n.g1MulMany(concat(points.map(r1)), scalarBytes(scalars));
    return points.map((_, i) => w1(all.subarray(i * P1_BYTES, (i + 1) * P1_BYTES)));
  };

  /** The canonical encoding, computed by the addon once per point. */
  const toBytes1 = (a: G1): Uint8Array => {
    const p = b1(a);
    p.bytes ??= new Uint8Array(n.g1ToBytes(p.raw));
    return new Uint8Array(p.bytes); // a copy (Buffer#slice would be a view)
  };
  const toBytes2 = (a: G2): Uint8Array => {
    const p = b2(a);
    p.bytes ??= new Uint8Array(n.g2ToBytes(p.raw));
    return new Uint8Array(p.bytes); // a copy (Buffer#slice would be a view)
  };

  memo = {
    name: "blst",
    isG1: (x): x is G1 => x instanceof BlstG1,
    isG2: (x): x is G2 => x instanceof BlstG2,
    g1Generator: () => g1Gen,
    g1Identity: () => g1Zero,
    g1Add: (a, b) => w1(n.g1Add(r1(a), r1(b))),
    g1Neg: (a) => w1(n.g1Neg(r1(a))),
    g1Mul: (a, k) => w1(n.g1Mul(r1(a), scalarBytes([k]), false)),
    g1MulSecret: (a, k) => w1(n.g1Mul(r1(a), scalarBytes([k]), true)),
    g1Msm: (points, scalars) => {
      checkLengths(points, scalars);
      return w1(n.g1Msm(concat(points.map(r1)), scalarBytes(scalars)));
    },
    g1Eq: (a, b) => n.g1Eq(r1(a), r1(b)),
    g1IsIdentity: (a) => {
      const known = b1(a).bytes;
      return known ? ((known[0] as number) & INFINITY_FLAG) !== 0 : n.g1IsIdentity(r1(a));
    },
    g1ToBytes: toBytes1,
    g1FromBytes: (bytes) => {
      const p = decode(n.g1FromBytes, bytes, 48, "G1");
      return new BlstG1(p, new Uint8Array(bytes)) as unknown as G1;
    },
    g1MulMany,
    hashToG1: (msg, dst) => {
      if (!(msg instanceof Uint8Array)) throw new TypeError("hashToG1: msg must be a Uint8Array");
      if (!(dst instanceof Uint8Array)) throw new TypeError("hashToG1: dst must be a Uint8Array");
      // RFC 9380 section 3.1: tags must have nonzero length (noble refuses an empty one too)
      if (dst.length === 0) throw new RangeError("hashToG1: the domain separation tag must not be empty");
      return w1(n.hashToG1(msg, dst));
    },

    g2Generator: () => g2Gen,
    g2Identity: () => g2Zero,
    g2Add: (a, b) => w2(n.g2Add(r2(a), r2(b))),
    g2Neg: (a) => w2(n.g2Neg(r2(a))),
    g2Mul: (a, k) => w2(n.g2Mul(r2(a), scalarBytes([k]), false)),
    g2Msm: (points, scalars) => {
      checkLengths(points, scalars);
      return w2(n.g2Msm(concat(points.map(r2)), scalarBytes(scalars)));
    },
    g2Eq: (a, b) => n.g2Eq(r2(a), r2(b)),
    g2IsIdentity: (a) => {
      const known = b2(a).bytes;
      return known ? ((known[0] as number) & INFINITY_FLAG) !== 0 : n.g2IsIdentity(r2(a));
    },
    g2ToBytes: toBytes2,
    g2FromBytes: (bytes) => {
      const p = decode(n.g2FromBytes, bytes, 96, "G2");
      return new BlstG2(p, new Uint8Array(bytes)) as unknown as G2;
    },
    decodeMany,

    g2Precompute: (base) => new BlstTable(n.g2Precompute(r2(base))) as unknown as G2Table,
    g2FixedMsm: fixedMsm,

    pairingCheck: (pairs) => {
      // pairs against the cached generator object take blst's precomputed g2 lines (summed on the native side)
      const onGenerator = Uint8Array.from(pairs, ([, q]) => (q === g2Gen ? 1 : 0));
      return n.pairingCheck(concat(pairs.map(([p]) => r1(p))), concat(pairs.map(([, q]) => r2(q))), onGenerator);
    },
    pairing: (p, q) => n.pairing(r1(p), r2(q)),
  };
  return memo;
}

/**
 * The fastest backend this process can use: blst when its native addon is built (`make bootstrap`), otherwise the
 * mcl-wasm backend (about 2.5 times slower per pairing, no native build needed). Check `backend.name` to see which.
 */
export async function fastestBackend(): Promise<Backend> {
  try {
    return blstBackend();
  } catch {
    return mclBackend();
  }
}
