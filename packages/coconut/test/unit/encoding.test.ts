import { bls12_381 } from "@noble/curves/bls12-381.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodeBlindedSignature,
  decodeBlindSignRequest,
  decodeParams,
  decodeSecretKey,
  decodeSignature,
  decodeTheta,
  decodeThetas,
  decodeVerificationKey,
  ENCODING_VERSION,
  encodeBlindedSignature,
  encodeBlindSignRequest,
  encodeParams,
  encodeSecretKey,
  encodeSignature,
  encodeTheta,
  encodeVerificationKey,
  fromHex,
  nobleBackend,
  type Params,
  prepareBlindSign,
  proveCredential,
  TypeTag,
  toHex,
  verifyCredential,
  zetaBytes,
  zetaBytesFromTheta,
} from "../../src/index.js";
import { enc, FAST_BACKENDS, type Issued, issue, params3, seededRng } from "../helpers.js";

const Fp = bls12_381.fields.Fp;
const Fp2 = bls12_381.fields.Fp2;
const P = Fp.ORDER;

let params: Params;
let cred: Issued;

function be48(x: bigint): Uint8Array {
  const out = new Uint8Array(48);
  let v = x;
  for (let i = 47; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A compressed G1 encoding of a point on the curve (x³ + 4 a square) but, for these x, outside the subgroup. */
function g1OffSubgroup(): Uint8Array {
  for (let x = 1n; ; x++) {
    const rhs = Fp.add(Fp.pow(x, 3n), 4n);
    let y: bigint;
    try {
      y = Fp.sqrt(rhs);
    } catch {
      continue;
    }
    const point = bls12_381.G1.Point.fromAffine({ x, y });
    if (point.isTorsionFree()) continue;
    const b = be48(x);
    b[0] = (b[0] as number) | 0x80;
    return b;
  }
}

/** A compressed G1 encoding whose x has no point on the curve. */
function g1OffCurve(): Uint8Array {
  for (let x = 1n; ; x++) {
    const rhs = Fp.add(Fp.pow(x, 3n), 4n);
    try {
      Fp.sqrt(rhs);
    } catch {
      const b = be48(x);
      b[0] = (b[0] as number) | 0x80;
      return b;
    }
  }
}

/** A compressed G2 encoding of a point on the twist (y² = x³ + 4(1+i)) outside the subgroup. */
function g2OffSubgroup(): Uint8Array {
  const b2 = Fp2.fromBigTuple([4n, 4n]);
  for (let c0 = 1n; ; c0++) {
    const x = Fp2.fromBigTuple([c0, 1n]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b2);
    let y: ReturnType<typeof Fp2.sqrt>;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue;
    }
    const point = bls12_381.G2.Point.fromAffine({ x, y });
    if (point.isTorsionFree()) continue;
    const out = new Uint8Array(96);
    out.set(be48(x.c1), 0);
    out.set(be48(x.c0), 48);
    out[0] = (out[0] as number) | 0x80;
    return out;
  }
}

function theta() {
  return proveCredential(params, cred.vk, cred.signature, cred.privateAttributes, {
    binding: enc("sp"),
    publicAttributes: cred.publicAttributes,
    rng: seededRng("encoding-theta"),
  });
}

function allEncodings(): { name: string; bytes: Uint8Array; decode: (b: Uint8Array) => unknown }[] {
  const share = cred.shares[0];
  if (!share) throw new Error("no share");
  const { request } = prepareBlindSign(params, [3n, 4n], [5n], { rng: seededRng("enc-req") });
  return [
    { name: "params", bytes: encodeParams(params), decode: (b) => decodeParams(b, { backend: params.backend }) },
    { name: "secretKey", bytes: encodeSecretKey(share.secretKey), decode: (b) => decodeSecretKey(params, b) },
    {
      name: "verificationKey",
      bytes: encodeVerificationKey(params, cred.vk),
      decode: (b) => decodeVerificationKey(params, b),
    },
    {
      name: "blindSignRequest",
      bytes: encodeBlindSignRequest(params, request),
      decode: (b) => decodeBlindSignRequest(params, b),
    },
    {
      name: "blindedSignature",
      bytes: encodeBlindedSignature(params, { h: cred.signature.h, c: cred.signature.s }),
      decode: (b) => decodeBlindedSignature(params, b),
    },
    { name: "signature", bytes: encodeSignature(params, cred.signature), decode: (b) => decodeSignature(params, b) },
    { name: "theta", bytes: encodeTheta(params, theta()), decode: (b) => decodeTheta(params, b) },
  ];
}

describe.each(FAST_BACKENDS)("%s backend", (backendName) => {
  beforeAll(async () => {
    params = await params3(backendName);
    cred = issue(params, 2, 3, seededRng("encoding-test"));
  });

  describe("encodings", () => {
    it("every object round-trips byte for byte and has the documented size", () => {
      const sizes: Record<string, number> = {
        params: 3,
        secretKey: 37 + 32 * 3,
        verificationKey: 99 + 144 * 3,
        blindSignRequest: 99 + 112 * 2,
        blindedSignature: 98,
        signature: 98,
        theta: 515 + 32 * 2,
      };
      const encoders: Record<string, (x: never) => Uint8Array> = {
        params: encodeParams as never,
        secretKey: encodeSecretKey as never,
        verificationKey: ((x: never) => encodeVerificationKey(params, x)) as never,
        blindSignRequest: ((x: never) => encodeBlindSignRequest(params, x)) as never,
        blindedSignature: ((x: never) => encodeBlindedSignature(params, x)) as never,
        signature: ((x: never) => encodeSignature(params, x)) as never,
        theta: ((x: never) => encodeTheta(params, x)) as never,
      };
      for (const { name, bytes, decode } of allEncodings()) {
        expect(bytes.length, name).toBe(sizes[name]);
        expect(bytes[0], name).toBe(ENCODING_VERSION);
        const again = (encoders[name] as (x: never) => Uint8Array)(decode(bytes) as never);
        expect(toHex(again), name).toBe(toHex(bytes));
      }
    });

    it("decoders reject a wrong version, a wrong type tag, truncation and trailing bytes", () => {
      for (const { name, bytes, decode } of allEncodings()) {
        const v = bytes.slice();
        v[0] = 2;
        expect(() => decode(v), name).toThrow(/version/);
        const t = bytes.slice();
        t[1] = t[1] === TypeTag.Theta ? TypeTag.Signature : TypeTag.Theta;
        expect(() => decode(t), name).toThrow(/type tag/);
        expect(() => decode(bytes.subarray(0, bytes.length - 1)), name).toThrow(RangeError);
        const long = new Uint8Array(bytes.length + 1);
        long.set(bytes);
        expect(() => decode(long), name).toThrow(/trailing/);
        expect(() => decode("00" as unknown as Uint8Array), name).toThrow(TypeError);
      }
    });

    it("property: any truncation of an encoded proof is rejected", () => {
      const bytes = encodeTheta(params, theta());
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (n) => {
          expect(() => decodeTheta(params, bytes.subarray(0, n))).toThrow(RangeError);
        }),
        { numRuns: 30 },
      );
    });

    it("non-canonical scalars (>= r) are rejected", () => {
      const bytes = encodeTheta(params, theta());
      const bad = bytes.slice();
      bad.set(fromHex("ff".repeat(32)), bad.length - 32);
      expect(() => decodeTheta(params, bad)).toThrow(/non-canonical scalar/);
      const sk = encodeSecretKey(cred.shares[0]?.secretKey ?? { index: 1, x: 1n, y: [1n] });
      const badSk = sk.slice();
      badSk.set(fromHex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"), 5);
      expect(() => decodeSecretKey(params, badSk)).toThrow(/non-canonical scalar for x/);
    });

    for (const which of ["this", "noble"] as const) {
      it(`${which === "this" ? backendName : "noble"}: points off the curve, outside the subgroup, non-canonical or the identity are rejected`, () => {
        const p: Params = which === "this" ? params : { ...params, backend: nobleBackend() };
        const b = p.backend;
        expect(() => b.g1FromBytes(g1OffCurve())).toThrow(RangeError);
        expect(() => b.g1FromBytes(g1OffSubgroup())).toThrow(RangeError);
        expect(() => b.g2FromBytes(g2OffSubgroup())).toThrow(RangeError);
        // x >= p with the compression flag set
        const big = be48(P + 1n);
        big[0] = (big[0] as number) | 0x80;
        expect(() => b.g1FromBytes(big)).toThrow(RangeError);
        // a valid point without the compression flag, and with a stray infinity flag
        const good = b.g1ToBytes(b.g1Generator());
        const noFlag = good.slice();
        noFlag[0] = (noFlag[0] as number) & 0x7f;
        expect(() => b.g1FromBytes(noFlag)).toThrow(RangeError);
        const inf = good.slice();
        inf[0] = (inf[0] as number) | 0x40;
        expect(() => b.g1FromBytes(inf)).toThrow(RangeError);
        // wrong lengths (a trailing byte, a missing byte) and the identity with a stray sort flag
        expect(() => b.g1FromBytes(Uint8Array.from([...good, 0]))).toThrow(RangeError);
        expect(() => b.g2FromBytes(b.g2ToBytes(b.g2Generator()).slice(1))).toThrow(RangeError);
        const sortedIdentity = new Uint8Array(96);
        sortedIdentity[0] = 0xe0;
        expect(() => b.g2FromBytes(sortedIdentity)).toThrow(RangeError);
        // the identity decodes as a point but every scheme decoder refuses it
        const identity = new Uint8Array(48);
        identity[0] = 0xc0;
        const sig = encodeSignature(p, { h: b.g1Generator(), s: b.g1Generator() });
        sig.set(identity, 2);
        expect(() => decodeSignature(p, sig)).toThrow(/h is the identity/);
        const bytes = encodeTheta(params, theta());
        const t = bytes.slice();
        t.set(g1OffSubgroup(), 3);
        expect(() => decodeTheta(p, t)).toThrow(/hPrime/);
        const t2 = bytes.slice();
        t2.set(g2OffSubgroup(), 3 + 96 + 96);
        expect(() => decodeTheta(p, t2)).toThrow(/zeta/);
      });
    }

    for (const which of ["this", "noble"] as const) {
      it(`${which === "this" ? backendName : "noble"}: decodeMany gives, in each place, the point or the error of a one-point decode`, () => {
        const b = which === "this" ? params.backend : nobleBackend();
        const good1 = b.g1ToBytes(b.g1Mul(b.g1Generator(), 77n));
        const big = be48(P + 1n);
        big[0] = (big[0] as number) | 0x80;
        const inf = good1.slice();
        inf[0] = (inf[0] as number) | 0x40;
        const identity1 = new Uint8Array(48);
        identity1[0] = 0xc0;
        const g1s = [good1, g1OffCurve(), g1OffSubgroup(), big, inf, identity1, good1.subarray(1), good1];
        const good2 = b.g2ToBytes(b.g2Mul(b.g2Generator(), 99n));
        const sortedIdentity = new Uint8Array(96);
        sortedIdentity[0] = 0xe0;
        const g2s = [g2OffSubgroup(), good2, sortedIdentity, Uint8Array.from([...good2, 0])];
        const many = b.decodeMany(g1s, g2s);
        const same = (got: unknown, decodeOne: () => unknown, toBytes: (x: never) => Uint8Array) => {
          let expected: unknown;
          try {
            expected = decodeOne();
          } catch (e) {
            expect(got).toBeInstanceOf(RangeError);
            expect((got as Error).message).toBe((e as Error).message);
            return;
          }
          expect(got).not.toBeInstanceOf(Error);
          expect(toHex(toBytes(got as never))).toBe(toHex(toBytes(expected as never)));
        };
        expect(many.g1.length).toBe(g1s.length);
        expect(many.g2.length).toBe(g2s.length);
        g1s.forEach((x, i) => {
          same(many.g1[i], () => b.g1FromBytes(x), b.g1ToBytes as never);
        });
        g2s.forEach((x, i) => {
          same(many.g2[i], () => b.g2FromBytes(x), b.g2ToBytes as never);
        });
        expect(many.g1.filter((x) => !(x instanceof Error)).length).toBe(3); // the two good ones and the identity
        expect(b.g1IsIdentity(many.g1[5] as never)).toBe(true);
        expect(b.g1IsIdentity(many.g1[0] as never)).toBe(false);
        expect(b.decodeMany([], [])).toEqual({ g1: [], g2: [] });
      });
    }

    it("decoded points keep their encoding to themselves: changing the input or an output leaves them as they were", () => {
      const b = params.backend;
      const bytes = b.g2ToBytes(b.g2Mul(b.g2Generator(), 5n));
      const original = toHex(bytes);
      for (const p of [b.g2FromBytes(bytes), b.decodeMany([], [bytes]).g2[0] as never]) {
        bytes.fill(0);
        const out = b.g2ToBytes(p);
        expect(toHex(out)).toBe(original);
        out.fill(0xff);
        expect(toHex(b.g2ToBytes(p))).toBe(original);
        expect(b.g2Eq(p, b.g2Mul(b.g2Generator(), 5n))).toBe(true);
        bytes.set(fromHex(original));
      }
    });

    it("decodeThetas: each Θ as decodeTheta decodes it or the error it throws (first problem in byte order), one bad Θ costing the others nothing", () => {
      const good = encodeTheta(params, theta());
      const badScalar = good.slice();
      badScalar.set(fromHex("ff".repeat(32)), badScalar.length - 32);
      const badH = good.slice();
      badH.set(g1OffSubgroup(), 3);
      const badZetaAndScalar = badScalar.slice();
      badZetaAndScalar.set(g2OffSubgroup(), 3 + 96 + 96);
      const identityS = good.slice();
      identityS.set(be48(0n), 3 + 48);
      (identityS as Uint8Array)[3 + 48] = 0xc0;
      const truncatedInPoints = good.subarray(0, 3 + 48 + 10);
      const wrongTag = good.slice();
      wrongTag[1] = 0x06;
      const list = [good, badScalar, badH, good, badZetaAndScalar, identityS, truncatedInPoints, wrongTag, good];
      const all = decodeThetas(params, list);
      expect(all.length).toBe(list.length);
      const messages: string[] = [];
      list.forEach((bytes, i) => {
        const got = all[i];
        try {
          const expected = decodeTheta(params, bytes);
          expect(got).not.toBeInstanceOf(Error);
          expect(toHex(encodeTheta(params, got as never))).toBe(toHex(encodeTheta(params, expected)));
          expect(verifyCredential(params, cred.vk, got as never, cred.publicAttributes, enc("sp"))).toBe(true);
        } catch (e) {
          expect(got).toBeInstanceOf(RangeError);
          expect((got as Error).message).toBe((e as Error).message);
          messages.push((got as Error).message);
        }
      });
      expect(messages).toHaveLength(6);
      expect(messages[0]).toMatch(/non-canonical scalar/);
      expect(messages[1]).toMatch(/hPrime/);
      expect(messages[2]).toMatch(/^theta: zeta: /);
      expect(messages[3]).toMatch(/sPrime is the identity/);
      expect(messages[4]).toMatch(/truncated/);
      expect(messages[5]).toMatch(/type tag/);
      expect(decodeThetas(params, [])).toEqual([]);
    });

    it("property: secret keys, signatures and verification keys round-trip for random values", () => {
      const b = params.backend;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 65535 }),
          fc.array(fc.bigInt({ min: 0n, max: 2n ** 255n - 1n }), { minLength: 2, maxLength: 4 }),
          (index, raw) => {
            const xs = raw.map((x) => x % 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n);
            const [x, ...y] = xs as [bigint, ...bigint[]];
            const sk = { index, x, y: y.slice(0, params.q) };
            expect(decodeSecretKey(params, encodeSecretKey(sk))).toEqual(sk);
            const sig = { h: b.g1Mul(b.g1Generator(), x + 1n), s: b.g1Mul(b.g1Generator(), (y[0] as bigint) + 1n) };
            const again = decodeSignature(params, encodeSignature(params, sig));
            expect(b.g1Eq(again.h, sig.h) && b.g1Eq(again.s, sig.s)).toBe(true);
          },
        ),
        { numRuns: 15 },
      );
    });

    it("zetaBytesFromTheta gives the same 96 bytes as zetaBytes", () => {
      const th = theta();
      expect(toHex(zetaBytesFromTheta(params, encodeTheta(params, th)))).toBe(toHex(zetaBytes(params, th)));
      expect(zetaBytes(params, th).length).toBe(96);
    });

    it("a decoded proof verifies like the original", () => {
      const th = theta();
      const back = decodeTheta(params, encodeTheta(params, th));
      expect(verifyCredential(params, cred.vk, back, cred.publicAttributes, enc("sp"))).toBe(true);
    });
  });
});
