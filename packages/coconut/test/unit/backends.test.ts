import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Backend, blstBackend, GROUP_ORDER, mclBackend, nobleBackend, toHex } from "../../src/index.js";

const noble = nobleBackend();
// The blst addon is built by `make bootstrap` (CI always runs it): these tests require it rather than skip.
const fast: Record<"mcl" | "blst", Backend> = { mcl: undefined as unknown as Backend, blst: blstBackend() };

beforeAll(async () => {
  fast.mcl = await mclBackend();
});

const scalar = fc.bigInt({ min: 0n, max: GROUP_ORDER - 1n });
const small = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });

describe.each(["blst", "mcl"] as const)("the %s backend agrees with noble byte for byte", (which) => {
  let fb: Backend;
  beforeAll(() => {
    fb = fast[which];
  });

  it("G1 and G2 scalar multiplication, MSM and fixed-base MSM", () => {
    const tables = {
      fast: [fb.g2Precompute(fb.g2Generator()), fb.g2Precompute(fb.g2Mul(fb.g2Generator(), 7n))],
      noble: [noble.g2Precompute(noble.g2Generator()), noble.g2Precompute(noble.g2Mul(noble.g2Generator(), 7n))],
    };
    fc.assert(
      fc.property(scalar, fc.oneof(scalar, small), scalar, (a, b, c) => {
        const both = (f: (x: Backend) => Uint8Array) => expect(toHex(f(fb))).toBe(toHex(f(noble)));
        both((x) => x.g1ToBytes(x.g1Msm([x.g1Generator(), x.g1Mul(x.g1Generator(), c)], [a, b])));
        both((x) => x.g2ToBytes(x.g2Mul(x.g2Generator(), a)));
        both((x) => x.g1ToBytes(x.g1MulSecret(x.g1Mul(x.g1Generator(), c), a)));
        both((x) => x.g2ToBytes(x.g2Msm([x.g2Generator(), x.g2Mul(x.g2Generator(), 3n)], [b, c])));
        both((x) => x.g2ToBytes(x.g2FixedMsm(x === fb ? tables.fast : tables.noble, [a, b])));
      }),
      { numRuns: 6 },
    );
  });

  it("fixed-base tables handle the edge scalars (0, 1, r-1, window boundaries) exactly", () => {
    const t = fb.g2Precompute(fb.g2Generator());
    for (const k of [
      0n,
      1n,
      2n,
      127n,
      128n,
      129n,
      255n,
      256n,
      2n ** 128n,
      GROUP_ORDER - 1n,
      GROUP_ORDER >> 1n,
      (GROUP_ORDER >> 1n) + 1n,
    ]) {
      expect(toHex(fb.g2ToBytes(fb.g2FixedMsm([t], [k])))).toBe(
        toHex(noble.g2ToBytes(noble.g2Mul(noble.g2Generator(), k))),
      );
    }
    expect(() => fb.g2FixedMsm([t], [GROUP_ORDER])).toThrow(RangeError);
  });

  it("RFC 9380 hash-to-G1 with our DST", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 1, maxLength: 60 }), (msg, dst) => {
        expect(toHex(fb.g1ToBytes(fb.hashToG1(msg, dst)))).toBe(toHex(noble.g1ToBytes(noble.hashToG1(msg, dst))));
      }),
      { numRuns: 10 },
    );
  });

  it("pairing checks agree on valid and invalid products", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 64n }),
        fc.bigInt({ min: 1n, max: 2n ** 64n }),
        fc.boolean(),
        (a, b, ok) => {
          const run = (x: Backend) =>
            x.pairingCheck([
              [x.g1Mul(x.g1Generator(), a), x.g2Mul(x.g2Generator(), b)],
              [
                x.g1Neg(x.g1Mul(x.g1Generator(), ok ? (a * b) % GROUP_ORDER : (a * b + 1n) % GROUP_ORDER)),
                x.g2Generator(),
              ],
            ]);
          expect(run(fb)).toBe(ok);
          expect(run(noble)).toBe(ok);
        },
      ),
      { numRuns: 3 },
    );
  });

  it("pairing checks agree whatever the mix of generator and other G2 points (precomputed-line paths)", () => {
    for (const x of [fb, noble]) {
      const g1 = x.g1Generator();
      const g2 = x.g2Generator();
      const p = x.g1Mul(g1, 6n);
      const q = x.g2Mul(g2, 5n);
      // only generator pairs: e(P, g2)·e(-P, g2) = 1
      expect(
        x.pairingCheck([
          [p, g2],
          [x.g1Neg(p), g2],
        ]),
      ).toBe(true);
      expect(x.pairingCheck([[p, g2]])).toBe(false);
      // two non-generator pairs and two generator pairs: e(6, 5)·e(2, 5)·e(-30, 1)·e(-10, 1) = 1
      const ok = [
        [p, q],
        [x.g1Mul(g1, 2n), q],
        [x.g1Neg(x.g1Mul(g1, 30n)), g2],
        [x.g1Neg(x.g1Mul(g1, 10n)), g2],
      ] as const;
      expect(x.pairingCheck(ok)).toBe(true);
      expect(x.pairingCheck([...ok.slice(0, 3), [x.g1Neg(x.g1Mul(g1, 11n)), g2]])).toBe(false);
      // a generator given as a fresh point (not the cached object) takes the general path with the same result
      expect(
        x.pairingCheck([
          [p, x.g2Mul(g2, 1n)],
          [x.g1Neg(p), g2],
        ]),
      ).toBe(true);
      expect(x.pairingCheck([])).toBe(true);
    }
  });

  it("decoding round-trips through the other backend", () => {
    const p = fb.g2Mul(fb.g2Generator(), 0x1234567n);
    const bytes = fb.g2ToBytes(p);
    expect(toHex(noble.g2ToBytes(noble.g2FromBytes(bytes)))).toBe(toHex(bytes));
    const q = noble.g1Mul(noble.g1Generator(), 99n);
    expect(toHex(fb.g1ToBytes(fb.g1FromBytes(noble.g1ToBytes(q))))).toBe(toHex(noble.g1ToBytes(q)));
  });

  it("identity points, zero scalars and empty lists give the identity as in noble", () => {
    for (const x of [fb, noble]) {
      const g1 = x.g1Generator();
      const g2 = x.g2Generator();
      expect(x.g1IsIdentity(x.g1Msm([], []))).toBe(true);
      expect(x.g2IsIdentity(x.g2Msm([], []))).toBe(true);
      expect(x.g2IsIdentity(x.g2FixedMsm([], []))).toBe(true);
      expect(x.g1IsIdentity(x.g1Mul(g1, 0n))).toBe(true);
      expect(x.g1IsIdentity(x.g1MulSecret(g1, 0n))).toBe(true);
      expect(x.g2IsIdentity(x.g2Msm([g2, x.g2Neg(g2)], [5n, 5n]))).toBe(true);
      expect(x.g1Eq(x.g1Msm([x.g1Identity(), g1], [7n, 3n]), x.g1Mul(g1, 3n))).toBe(true);
      expect(x.g2Eq(x.g2Msm([x.g2Identity(), g2], [7n, 3n]), x.g2Mul(g2, 3n))).toBe(true);
      expect(x.g2IsIdentity(x.g2FixedMsm([x.g2Precompute(x.g2Identity())], [GROUP_ORDER - 1n]))).toBe(true);
      expect(x.g1Eq(x.g1Add(g1, x.g1Identity()), g1)).toBe(true);
      expect(x.g2Eq(x.g2Add(g2, g2), x.g2Mul(g2, 2n))).toBe(true);
      expect(x.g1Eq(x.g1MulSecret(g1, GROUP_ORDER - 1n), x.g1Neg(g1))).toBe(true);
    }
    const both = (f: (x: Backend) => Uint8Array) => expect(toHex(f(fb))).toBe(toHex(f(noble)));
    both((x) => x.g1ToBytes(x.g1Identity()));
    both((x) => x.g2ToBytes(x.g2Identity()));
    both((x) => x.g1ToBytes(x.g1FromBytes(x.g1ToBytes(x.g1Identity()))));
    both((x) => x.g2ToBytes(x.g2FromBytes(x.g2ToBytes(x.g2Identity()))));
  });

  it("MSMs of many points (pippenger sizes) and mixed scalar lengths", () => {
    const ks = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? GROUP_ORDER - BigInt(i + 1) : BigInt(i) ** 30n));
    const both = (f: (x: Backend) => Uint8Array) => expect(toHex(f(fb))).toBe(toHex(f(noble)));
    both((x) =>
      x.g1ToBytes(
        x.g1Msm(
          ks.map((k) => x.g1Mul(x.g1Generator(), (k % 1000n) + 1n)),
          ks,
        ),
      ),
    );
    both((x) =>
      x.g2ToBytes(
        x.g2Msm(
          ks.map((k) => x.g2Mul(x.g2Generator(), (k % 1000n) + 1n)),
          ks,
        ),
      ),
    );
  });

  it("many G1 multiplications in one call agree with one at a time", () => {
    const ks = [0n, 1n, 2n ** 64n + 3n, 2n ** 128n - 1n, GROUP_ORDER - 1n, 12345678901234567890n];
    const both = (f: (x: Backend) => Uint8Array[]) => expect(f(fb).map(toHex)).toEqual(f(noble).map(toHex));
    both((x) =>
      x
        .g1MulMany(
          ks.map((k) => x.g1Mul(x.g1Generator(), (k % 997n) + 2n)),
          ks,
        )
        .map((p) => x.g1ToBytes(p)),
    );
    expect(fb.g1MulMany([], [])).toEqual([]);
    expect(() => fb.g1MulMany([fb.g1Generator()], [])).toThrow(RangeError);
    expect(() => fb.g1MulMany([fb.g1Generator()], [GROUP_ORDER])).toThrow(RangeError);
  });

  it("G2 MSMs are exact at the digit boundaries of the endomorphism split (base |z| = 0xd201000000010000)", () => {
    const u = 0xd201000000010000n;
    const edges = [0n, 1n, u - 1n, u, u + 1n, u * u - 1n, u * u, u ** 3n - 1n, u ** 3n, u ** 3n + u + 1n];
    const ks = [...edges, 2n ** 64n, 2n ** 128n + 1n, GROUP_ORDER - 1n, GROUP_ORDER - u, (GROUP_ORDER >> 1n) + 7n];
    const both = (f: (x: Backend) => Uint8Array) => expect(toHex(f(fb))).toBe(toHex(f(noble)));
    // one point at a time (each edge alone) and all together, with the identity and a repeated point among them
    for (const k of ks) both((x) => x.g2ToBytes(x.g2Msm([x.g2Mul(x.g2Generator(), 11n)], [k])));
    both((x) =>
      x.g2ToBytes(
        x.g2Msm(
          ks.map((_, i) => (i === 3 ? x.g2Identity() : x.g2Mul(x.g2Generator(), BigInt(i % 5) + 2n))),
          ks,
        ),
      ),
    );
  });

  it("RFC 9380 hash-to-G1 with a domain tag over 255 bytes (hashed per section 5.3.3)", () => {
    const dst = new Uint8Array(300).fill(0x61);
    const msg = new TextEncoder().encode("abc");
    expect(toHex(fb.g1ToBytes(fb.hashToG1(msg, dst)))).toBe(toHex(noble.g1ToBytes(noble.hashToG1(msg, dst))));
  });

  it("rejects out-of-range scalars and mismatched lists with RangeError", () => {
    const g1 = fb.g1Generator();
    expect(() => fb.g1Mul(g1, GROUP_ORDER)).toThrow(RangeError);
    expect(() => fb.g1MulSecret(g1, -1n)).toThrow(RangeError);
    expect(() => fb.g2Mul(fb.g2Generator(), GROUP_ORDER + 5n)).toThrow(RangeError);
    expect(() => fb.g1Msm([g1], [GROUP_ORDER])).toThrow(RangeError);
  });
});

describe("blst backend specifics", () => {
  it("refuses an empty domain separation tag (RFC 9380 section 3.1), as noble does", () => {
    expect(() => noble.hashToG1(new Uint8Array(1), new Uint8Array(0))).toThrow();
    expect(() => fast.blst.hashToG1(new Uint8Array(1), new Uint8Array(0))).toThrow(RangeError);
  });

  it("points and tables of another backend are refused by the type checks", () => {
    expect(fast.blst.isG1(noble.g1Generator())).toBe(false);
    expect(fast.blst.isG2(fast.blst.g2Generator())).toBe(true);
    expect(fast.blst.isG1(fast.blst.g2Generator())).toBe(false);
  });
});
