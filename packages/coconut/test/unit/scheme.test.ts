import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  aggregateSignatures,
  aggregateVerificationKeys,
  blindSign,
  checkVerificationKey,
  computeZeta,
  encodeSignature,
  encodeTheta,
  encodeVerificationKey,
  IssuanceProofError,
  keygen,
  lagrangeAtZero,
  nobleBackend,
  type Params,
  prepareBlindSign,
  proveCredential,
  randomizeSignature,
  setup,
  type Theta,
  toHex,
  ttpKeygen,
  unblindSignature,
  verifyBlindSignRequest,
  verifyCredential,
  verifyCredentialBatch,
  verifyPartialBlindSignature,
  verifySignature,
  zetaBytes,
} from "../../src/index.js";
import { enc, FAST_BACKENDS, type Issued, issue, params3, seededRng, vkShares } from "../helpers.js";

let params: Params;
let cred: Issued;
const spA = enc("sp-A-address");
const spB = enc("sp-B-address");

const show = (binding = spA, rngSeed?: string): Theta =>
  proveCredential(params, cred.vk, cred.signature, cred.privateAttributes, {
    binding,
    publicAttributes: cred.publicAttributes,
    ...(rngSeed ? { rng: seededRng(rngSeed) } : {}),
  });

describe.each(FAST_BACKENDS)("%s backend", (backendName) => {
  beforeAll(async () => {
    params = await params3(backendName);
    cred = issue(params, 2, 3, seededRng("scheme-test"));
  });

  describe("issuance", () => {
    it("a blind-signed, unblinded, aggregated credential verifies on all its attributes and not on others", () => {
      const all = [...cred.privateAttributes, ...cred.publicAttributes];
      expect(verifySignature(params, cred.vk, cred.signature, all)).toBe(true);
      expect(verifySignature(params, cred.vk, cred.signature, [all[0] as bigint, all[1] as bigint, 8n])).toBe(false);
    });

    it("each issuer's partial blinded signature verifies against its own key only", () => {
      const rng = seededRng("partials");
      const { request, openings } = prepareBlindSign(params, [11n, 12n], [13n], { rng });
      const [a, b] = cred.shares as [(typeof cred.shares)[0], (typeof cred.shares)[0]];
      const blindedA = blindSign(params, a.secretKey, request, [13n]);
      expect(verifyPartialBlindSignature(params, request, [13n], blindedA, a.verificationKey)).toBe(true);
      expect(verifyPartialBlindSignature(params, request, [13n], blindedA, b.verificationKey)).toBe(false);
      expect(verifyPartialBlindSignature(params, request, [14n], blindedA, a.verificationKey)).toBe(false);
      const sig = unblindSignature(params, blindedA, openings, a.verificationKey);
      expect(verifySignature(params, a.verificationKey, sig, [11n, 12n, 13n])).toBe(true);
    });

    it("a dealt key share passes the key-consistency pairing check, a tampered one does not", () => {
      const share = cred.shares[0];
      if (!share) throw new Error("no share");
      expect(checkVerificationKey(params, share.verificationKey)).toBe(true);
      const other = keygen(params, { rng: seededRng("other-key") }).verificationKey;
      const mixed = { ...share.verificationKey, betaG1: [other.betaG1[0], ...share.verificationKey.betaG1.slice(1)] };
      expect(checkVerificationKey(params, mixed as typeof share.verificationKey)).toBe(false);
    });

    it("blindSign refuses a request whose proof does not match the public attributes", () => {
      const { request } = prepareBlindSign(params, [21n, 22n], [23n], { rng: seededRng("bad-request") });
      const key = cred.shares[0]?.secretKey;
      if (!key) throw new Error("no key");
      expect(verifyBlindSignRequest(params, request, [23n])).toBe(true);
      expect(() => blindSign(params, key, request, [24n])).toThrow(IssuanceProofError);
      try {
        blindSign(params, key, request, [24n]);
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
        expect((e as IssuanceProofError).code).toBe("COCONUT_INVALID_ISSUANCE_PROOF");
      }
      const tampered = { ...request, responseR: (request.responseR + 1n) % 2n ** 250n };
      expect(verifyBlindSignRequest(params, tampered, [23n])).toBe(false);
    });
  });

  describe("threshold (t of n)", () => {
    it("any t-subset of n aggregates to the same key and signature; t-1 shares do not verify", () => {
      fc.assert(
        fc.property(
          fc
            .integer({ min: 1, max: 4 })
            .chain((t) =>
              fc.tuple(
                fc.constant(t),
                fc.integer({ min: t, max: 5 }),
                fc.integer({ min: 0, max: 2 ** 31 - 1 }),
                fc.integer({ min: 0, max: 2 ** 31 - 1 }),
              ),
            ),
          ([t, n, seedA, seedB]) => {
            const p: Params = params;
            const rng = seededRng(`t-of-n-${t}-${n}-${seedA}`);
            const shares = ttpKeygen(p, t, n, { rng });
            const pick = (seed: number) => {
              const idx = shares.map((_, i) => i);
              const r = seededRng(`pick-${seed}`);
              for (let i = idx.length - 1; i > 0; i--) {
                const j = (r(1)[0] as number) % (i + 1);
                [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
              }
              return idx.slice(0, t).map((i) => shares[i] as (typeof shares)[0]);
            };
            const attrs = [5n, 6n];
            const { request, openings } = prepareBlindSign(p, attrs, [], { rng });
            const signAll = (subset: typeof shares) =>
              subset.map((s) => ({
                index: s.index,
                signature: unblindSignature(p, blindSign(p, s.secretKey, request, []), openings, s.verificationKey),
              }));
            const setA = pick(seedA);
            const setB = pick(seedB);
            const vkA = aggregateVerificationKeys(p, vkShares(setA));
            const vkB = aggregateVerificationKeys(p, vkShares(setB));
            expect(toHex(encodeVerificationKey(p, vkA))).toBe(toHex(encodeVerificationKey(p, vkB)));
            const sigA = aggregateSignatures(p, signAll(setA));
            const sigB = aggregateSignatures(p, signAll(setB));
            expect(toHex(encodeSignature(p, sigA))).toBe(toHex(encodeSignature(p, sigB)));
            expect(verifySignature(p, vkA, sigA, attrs)).toBe(true);
            if (t > 1) {
              const short = signAll(setA.slice(0, t - 1));
              expect(verifySignature(p, vkA, aggregateSignatures(p, short), attrs)).toBe(false);
              expect(
                toHex(encodeVerificationKey(p, aggregateVerificationKeys(p, vkShares(setA.slice(0, t - 1))))),
              ).not.toBe(toHex(encodeVerificationKey(p, vkA)));
            }
          },
        ),
        { numRuns: 6 },
      );
    });

    it("Lagrange coefficients at the actual indices sum to one and reject duplicates and zero", () => {
      const l = lagrangeAtZero([2, 5, 9]);
      expect(l.reduce((a, b) => a + b, 0n) % 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n).toBe(
        1n,
      );
      expect(() => lagrangeAtZero([1, 1])).toThrow(RangeError);
      expect(() => lagrangeAtZero([0, 1])).toThrow(/indices\[0\]/);
    });
  });

  describe("show and verify", () => {
    it("a shown credential verifies at the SP it is bound to and fails at another SP", () => {
      const theta = show(spA);
      expect(verifyCredential(params, cred.vk, theta, cred.publicAttributes, spA)).toBe(true);
      expect(verifyCredential(params, cred.vk, theta, cred.publicAttributes, spB)).toBe(false);
    });

    it("property: a proof bound to SP A fails at any different SP B", () => {
      const theta = show(spA);
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (other) => {
          fc.pre(toHex(other) !== toHex(spA));
          expect(verifyCredential(params, cred.vk, theta, cred.publicAttributes, other)).toBe(false);
        }),
        { numRuns: 8 },
      );
    });

    it("a wrong public attribute fails", () => {
      const theta = show();
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 200n }), (v) => {
          fc.pre(v !== cred.publicAttributes[0]);
          expect(verifyCredential(params, cred.vk, theta, [v], spA)).toBe(false);
        }),
        { numRuns: 5 },
      );
    });

    it("two shows of one credential share no component but reveal the same zeta", () => {
      const a = show(spA, "show-1");
      const b = show(spA, "show-2");
      for (const key of ["hPrime", "sPrime"] as const) {
        expect(params.backend.g1Eq(a[key], b[key])).toBe(false);
      }
      for (const key of ["kappa", "commitmentKappa", "commitmentZeta"] as const) {
        expect(params.backend.g2Eq(a[key], b[key])).toBe(false);
      }
      expect(a.responseR).not.toBe(b.responseR);
      a.responsesM.forEach((r, j) => {
        expect(r).not.toBe(b.responsesM[j]);
      });
      expect(toHex(zetaBytes(params, a))).toBe(toHex(zetaBytes(params, b)));
      expect(toHex(zetaBytes(params, a))).toBe(
        toHex(params.backend.g2ToBytes(computeZeta(params, cred.privateAttributes[0] as bigint))),
      );
    });

    it("property: a flipped bit anywhere in an encoded proof is rejected by decoding or fails verification", async () => {
      const { decodeTheta } = await import("../../src/index.js");
      const bytes = encodeTheta(params, show());
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
          const mutated = bytes.slice();
          mutated[bit >> 3] = (mutated[bit >> 3] as number) ^ (1 << (bit & 7));
          let theta: Theta;
          try {
            theta = decodeTheta(params, mutated);
          } catch (e) {
            expect(e).toBeInstanceOf(RangeError);
            return;
          }
          expect(verifyCredential(params, cred.vk, theta, cred.publicAttributes, spA)).toBe(false);
        }),
        { numRuns: 25 },
      );
    });

    it("a randomized signature still verifies and differs from the original", () => {
      const r = randomizeSignature(params, cred.signature, { rng: seededRng("rand") });
      const all = [...cred.privateAttributes, ...cred.publicAttributes];
      expect(verifySignature(params, cred.vk, r, all)).toBe(true);
      expect(params.backend.g1Eq(r.h, cred.signature.h)).toBe(false);
    });

    it("a credential without public attributes and one with a single private attribute verify", () => {
      const p4 = setup(1, { backend: params.backend });
      const shares = ttpKeygen(p4, 1, 1, { rng: seededRng("k1") });
      const s = shares[0];
      if (!s) throw new Error("no share");
      const { request, openings } = prepareBlindSign(p4, [99n], [], { rng: seededRng("k1-req") });
      const sig = unblindSignature(p4, blindSign(p4, s.secretKey, request, []), openings, s.verificationKey);
      const theta = proveCredential(p4, s.verificationKey, sig, [99n], { binding: spA });
      expect(verifyCredential(p4, s.verificationKey, theta, [], spA)).toBe(true);
      expect(verifyCredentialBatch(p4, s.verificationKey, [{ theta, publicAttributes: [], binding: spA }])).toBe(true);
    });
  });

  describe("batch verification", () => {
    it("accepts a batch of valid credentials (with different bindings) and rejects it when any one member is bad", () => {
      const n = 6;
      const bindings = Array.from({ length: n }, (_, i) => enc(`sp-${i}`));
      const items = bindings.map((binding, i) => ({
        theta: show(binding, `batch-${i}`),
        publicAttributes: cred.publicAttributes,
        binding,
      }));
      expect(verifyCredentialBatch(params, cred.vk, items, { rng: seededRng("w") })).toBe(true);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: 3 }), (i, kind) => {
          const bad = items.slice();
          const it = bad[i] as (typeof items)[0];
          const other = items[(i + 1) % n] as (typeof items)[0];
          if (kind === 0) bad[i] = { ...it, binding: enc("elsewhere") };
          if (kind === 1) bad[i] = { ...it, publicAttributes: [8n] };
          if (kind === 2) bad[i] = { ...it, theta: { ...it.theta, sPrime: other.theta.sPrime } };
          if (kind === 3) bad[i] = { ...it, theta: { ...it.theta, responseR: (it.theta.responseR + 1n) % 2n ** 250n } };
          expect(
            verifyCredential(
              params,
              cred.vk,
              (bad[i] as (typeof items)[0]).theta,
              bad[i]?.publicAttributes ?? [],
              bad[i]?.binding ?? spA,
            ),
          ).toBe(false);
          expect(verifyCredentialBatch(params, cred.vk, bad)).toBe(false);
        }),
        { numRuns: 8 },
      );
    });

    it("64-bit weights accept a valid batch and reject one with a wrong binding; other widths are refused", () => {
      const items = [0, 1, 2].map((i) => ({
        theta: show(enc(`sp64-${i}`), `batch64-${i}`),
        publicAttributes: cred.publicAttributes,
        binding: enc(`sp64-${i}`),
      }));
      expect(verifyCredentialBatch(params, cred.vk, items, { weightBits: 64 })).toBe(true);
      const bad = [...items.slice(0, 2), { ...(items[2] as (typeof items)[0]), binding: enc("sp64-0") }];
      expect(verifyCredentialBatch(params, cred.vk, bad, { weightBits: 64 })).toBe(false);
      expect(() => verifyCredentialBatch(params, cred.vk, items, { weightBits: 32 as 64 })).toThrow(/weightBits/);
    });

    it("an empty batch is vacuously valid", () => {
      expect(verifyCredentialBatch(params, cred.vk, [])).toBe(true);
    });
  });

  describe("input validation", () => {
    it("malformed inputs throw TypeError/RangeError naming the parameter", () => {
      expect(() => setup(0)).toThrow(/q:/);
      expect(() => setup(1.5)).toThrow(TypeError);
      expect(() => ttpKeygen(params, 4, 3)).toThrow(/t:/);
      expect(() => prepareBlindSign(params, [], [1n])).toThrow(/private attribute/);
      expect(() => prepareBlindSign(params, [1n, 2n, 3n], [4n])).toThrow(/exceed q/);
      expect(() => prepareBlindSign(params, [-1n], [])).toThrow(/privateAttributes\[0\]/);
      expect(() => prepareBlindSign(params, [1n], [2n ** 256n])).toThrow(/publicAttributes\[0\]/);
      expect(() => prepareBlindSign(params, [1 as unknown as bigint], [])).toThrow(TypeError);
      expect(() => prepareBlindSign(params, [0n], [])).toThrow(/serial/);
      expect(() =>
        proveCredential(params, cred.vk, cred.signature, cred.privateAttributes, {
          binding: "sp" as unknown as Uint8Array,
        }),
      ).toThrow(/options.binding/);
      expect(() => prepareBlindSign(params, [1n], [], { rng: () => new Uint8Array(3) })).toThrow(/rng/);
      const theta = show();
      expect(() => verifyCredential(params, cred.vk, theta, [1n, 2n, 3n], spA)).toThrow(/no private attribute/);
      expect(verifyCredential(params, cred.vk, theta, [1n, 2n], spA)).toBe(false);
      expect(() => proveCredential(params, cred.vk, cred.signature, cred.privateAttributes, { binding: spA })).toThrow(
        /must cover the key/,
      );
      expect(() => verifyCredential(params, cred.vk, { ...theta, responseR: -1n }, [7n], spA)).toThrow(/responseR/);
      expect(() => verifyCredential(params, cred.vk, { ...theta, kappa: {} as never }, [7n], spA)).toThrow(
        /theta.kappa/,
      );
      expect(() => verifyCredential(params, { ...cred.vk, alpha: null as never }, theta, [7n], spA)).toThrow(
        /vk.alpha/,
      );
      expect(() => verifySignature(params, cred.vk, { h: cred.signature.h } as never, [1n])).toThrow(/signature.s/);
      const nobleTheta = { ...theta, hPrime: nobleBackend().g1Generator() };
      expect(() => verifyCredential(params, cred.vk, nobleTheta, [7n], spA)).toThrow(TypeError);
    });
  });
});
