import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Backend, GROUP_ORDER, mclBackend, nobleBackend, toHex } from "../../src/index.js";

let mcl: Backend;
const noble = nobleBackend();

beforeAll(async () => {
  mcl = await mclBackend();
});

const scalar = fc.bigInt({ min: 0n, max: GROUP_ORDER - 1n });
const small = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });

describe("backends agree byte for byte", () => {
  it("G1 and G2 scalar multiplication, MSM and fixed-base MSM", () => {
    const tables = {
      mcl: [mcl.g2Precompute(mcl.g2Generator()), mcl.g2Precompute(mcl.g2Mul(mcl.g2Generator(), 7n))],
      noble: [noble.g2Precompute(noble.g2Generator()), noble.g2Precompute(noble.g2Mul(noble.g2Generator(), 7n))],
    };
    fc.assert(
      fc.property(scalar, fc.oneof(scalar, small), scalar, (a, b, c) => {
        const both = (f: (x: Backend) => Uint8Array) => expect(toHex(f(mcl))).toBe(toHex(f(noble)));
        both((x) => x.g1ToBytes(x.g1Msm([x.g1Generator(), x.g1Mul(x.g1Generator(), c)], [a, b])));
        both((x) => x.g2ToBytes(x.g2Mul(x.g2Generator(), a)));
        both((x) => x.g1ToBytes(x.g1MulSecret(x.g1Mul(x.g1Generator(), c), a)));
        both((x) => x.g2ToBytes(x.g2Msm([x.g2Generator(), x.g2Mul(x.g2Generator(), 3n)], [b, c])));
        both((x) => x.g2ToBytes(x.g2FixedMsm(x === mcl ? tables.mcl : tables.noble, [a, b])));
      }),
      { numRuns: 6 },
    );
  });

  it("fixed-base tables handle the edge scalars (0, 1, r-1, window boundaries) exactly", () => {
    const t = mcl.g2Precompute(mcl.g2Generator());
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
      expect(toHex(mcl.g2ToBytes(mcl.g2FixedMsm([t], [k])))).toBe(
        toHex(noble.g2ToBytes(noble.g2Mul(noble.g2Generator(), k))),
      );
    }
    expect(() => mcl.g2FixedMsm([t], [GROUP_ORDER])).toThrow(RangeError);
  });

  it("RFC 9380 hash-to-G1 with our DST", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 1, maxLength: 60 }), (msg, dst) => {
        expect(toHex(mcl.g1ToBytes(mcl.hashToG1(msg, dst)))).toBe(toHex(noble.g1ToBytes(noble.hashToG1(msg, dst))));
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
          expect(run(mcl)).toBe(ok);
          expect(run(noble)).toBe(ok);
        },
      ),
      { numRuns: 3 },
    );
  });

  it("pairing checks agree whatever the mix of generator and other G2 points (precomputed-line paths)", () => {
    for (const x of [mcl, noble]) {
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
    const p = mcl.g2Mul(mcl.g2Generator(), 0x1234567n);
    const bytes = mcl.g2ToBytes(p);
    expect(toHex(noble.g2ToBytes(noble.g2FromBytes(bytes)))).toBe(toHex(bytes));
    const q = noble.g1Mul(noble.g1Generator(), 99n);
    expect(toHex(mcl.g1ToBytes(mcl.g1FromBytes(noble.g1ToBytes(q))))).toBe(toHex(noble.g1ToBytes(q)));
  });
});
