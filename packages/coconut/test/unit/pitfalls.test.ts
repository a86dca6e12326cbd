/**
 * One regression test per known pitfall of Coconut implementations (docs/architecture.md, "Sources"). Each test also
 * shows the attack working against the flawed construction where that can be expressed, so the test could fail if our
 * code regressed to it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  aggregateSignatures,
  blindSign,
  credentialChallenge,
  decodeSignature,
  encodeSignature,
  type G2,
  IssuanceProofError,
  keygen,
  type Params,
  prepareBlindSign,
  proveCredential,
  sign,
  unblindSignature,
  verifyBlindSignRequest,
  verifyCredential,
  verifySignature,
} from "../../src/index.js";
import { enc, FAST_BACKENDS, type Issued, issue, params3, seededRng } from "../helpers.js";

const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const mod = (x: bigint) => ((x % R) + R) % R;
const binding = enc("sp-address");

let params: Params;
let cred: Issued;

describe.each(FAST_BACKENDS)("%s backend", (backendName) => {
  beforeAll(async () => {
    params = await params3(backendName);
    cred = issue(params, 2, 3, seededRng("pitfalls"));
  });

  describe("SI-86: forgery by linear combination in public-only signing", () => {
    it("h is derived from the attribute list, so combining signatures on equal-sum vectors forges nothing", () => {
      const b = params.backend;
      const { secretKey: sk, verificationKey: vk } = keygen(params, { rng: seededRng("si86") });
      const a = [10n, 20n];
      const c = [25n, 5n]; // same sum as a
      const target = [mod(2n * 10n - 25n), mod(2n * 20n - 5n)]; // 2a - c: never signed
      // The flawed derivation h = HashToG1(g1·Σm) gives a and c the same h; then 2σ_a − σ_c is a valid signature on
      // 2a − c. Reproduce that with the same secret key to show the attack is real...
      const legacyH = (m: bigint[]) =>
        b.hashToG1(b.g1ToBytes(b.g1Mul(b.g1Generator(), mod(m.reduce((x, y) => x + y, 0n)))), enc("legacy"));
      const legacySign = (m: bigint[]) => {
        const h = legacyH(m);
        const e = mod(sk.x + (sk.y[0] as bigint) * (m[0] as bigint) + (sk.y[1] as bigint) * (m[1] as bigint));
        return { h, s: b.g1Mul(h, e) };
      };
      const la = legacySign(a);
      const lc = legacySign(c);
      const legacyForgery = { h: la.h, s: b.g1Add(b.g1Mul(la.s, 2n), b.g1Neg(lc.s)) };
      expect(verifySignature(params, vk, legacyForgery, target)).toBe(true);
      // ...and fail against ours.
      const sa = sign(params, sk, a);
      const sc = sign(params, sk, c);
      expect(b.g1Eq(sa.h, sc.h)).toBe(false);
      const forgery = { h: sa.h, s: b.g1Add(b.g1Mul(sa.s, 2n), b.g1Neg(sc.s)) };
      expect(verifySignature(params, vk, sa, a)).toBe(true);
      expect(verifySignature(params, vk, forgery, target)).toBe(false);
    });
  });

  describe("SI-84/85: identity points wherever h is used", () => {
    it("a signature or proof with h = identity never verifies, and decoders refuse it", () => {
      const b = params.backend;
      const zero = b.g1Identity();
      // With h = s = O the pairing equation e(O, ·) = e(O, g2) holds trivially: it must be refused before pairing.
      expect(verifySignature(params, cred.vk, { h: zero, s: zero }, [1n, 2n, 3n])).toBe(false);
      const theta = proveCredential(params, cred.vk, cred.signature, cred.privateAttributes, {
        binding,
        publicAttributes: cred.publicAttributes,
      });
      expect(
        verifyCredential(params, cred.vk, { ...theta, hPrime: zero, sPrime: zero }, cred.publicAttributes, binding),
      ).toBe(false);
      const bytes = encodeSignature(params, cred.signature);
      bytes.set(b.g1ToBytes(zero), 2);
      expect(() => decodeSignature(params, bytes)).toThrow(/identity/);
      expect(() =>
        proveCredential(params, cred.vk, { h: zero, s: zero }, cred.privateAttributes, {
          binding,
          publicAttributes: cred.publicAttributes,
        }),
      ).toThrow(/signature.h/);
    });
  });

  describe("public attributes not bound by the issuance proof (PY / NT-COCO)", () => {
    it("an issuer asked to sign other public values than those committed in cm refuses", () => {
      const committed = [100n];
      const asked = [1_000_000n];
      const { request } = prepareBlindSign(params, [1n, 2n], committed, { rng: seededRng("pub-binding") });
      expect(verifyBlindSignRequest(params, request, committed)).toBe(true);
      expect(verifyBlindSignRequest(params, request, asked)).toBe(false);
      const sk = cred.shares[0]?.secretKey;
      if (!sk) throw new Error("no key");
      expect(() => blindSign(params, sk, request, asked)).toThrow(IssuanceProofError);
    });
  });

  describe("attribute position confusion (a disclosed value moved into another slot)", () => {
    it("a proof hiding fewer attributes than the verifier's layout implies is rejected", () => {
      const b = params.backend;
      // A user gets (serial, binding = 1000 | value = 0) signed, then shows it hiding only the serial and claiming the
      // verifier's single public attribute (the value) is 1000: algebraically this is the binding slot, β_2.
      const rng = seededRng("position");
      const { request, openings } = prepareBlindSign(params, [77n, 1000n], [0n], { rng });
      const partials = cred.shares.slice(1).map((s) => ({
        index: s.index,
        signature: unblindSignature(params, blindSign(params, s.secretKey, request, [0n]), openings, s.verificationKey),
      }));
      const sig = aggregateSignatures(params, partials);
      const vk = cred.vk;
      const g2 = b.g2Generator();
      const [rp, r, ws, wr] = [11n, 12n, 13n, 14n];
      const hPrime = b.g1Mul(sig.h, rp);
      const sPrime = b.g1Add(b.g1Mul(sig.s, rp), b.g1Mul(hPrime, r));
      const kappa = b.g2Add(vk.alpha, b.g2Msm([g2, vk.betaG2[0] as G2], [r, 77n]));
      const zeta = b.g2Mul(g2, 77n);
      const commitmentKappa = b.g2Msm([g2, vk.betaG2[0] as G2], [wr, ws]);
      const commitmentZeta = b.g2Mul(g2, ws);
      const partial = { hPrime, sPrime, kappa, zeta, commitmentKappa, commitmentZeta, responseR: 0n, responsesM: [0n] };
      const c = credentialChallenge(params, vk, partial, [1000n], binding);
      const forged = { ...partial, responseR: mod(wr - c * r), responsesM: [mod(ws - c * 77n)] };
      // every equation of the scheme holds for this layout (k = 1, value slot = β_2)...
      const kappaFull = b.g2Add(kappa, b.g2Mul(vk.betaG2[1] as G2, 1000n));
      expect(
        b.pairingCheck([
          [hPrime, kappaFull],
          [b.g1Neg(sPrime), g2],
        ]),
      ).toBe(true);
      // ...but the verifier's layout (3 attributes, 1 public) requires 2 hidden ones, so it is refused
      expect(verifyCredential(params, vk, forged, [1000n], binding)).toBe(false);
    });
  });

  describe("π_v challenge not covering κ, ζ and σ' (PY / NT-COCO)", () => {
    it("mauling κ and σ' consistently (all equations hold for the old challenge) is rejected", () => {
      const b = params.backend;
      const theta = proveCredential(params, cred.vk, cred.signature, cred.privateAttributes, {
        binding,
        publicAttributes: cred.publicAttributes,
        rng: seededRng("maul"),
      });
      const c = credentialChallenge(params, cred.vk, theta, cred.publicAttributes, binding);
      const u = 12345n;
      // κ' = κ + [u]g2, r_r' = r_r − c·u keeps Aw = [c](κ' − α) + [r_r']g2 + Σ[r_j]β_j; s'' = s' + [u]h' keeps the
      // pairing equation. Only the challenge (which hashes κ and s') tells the mauled proof apart.
      const mauled = {
        ...theta,
        kappa: b.g2Add(theta.kappa, b.g2Mul(b.g2Generator(), u)),
        sPrime: b.g1Add(theta.sPrime, b.g1Mul(theta.hPrime, u)),
        responseR: mod(theta.responseR - c * u),
      };
      const lhs = b.g2Add(
        b.g2Mul(b.g2Add(mauled.kappa, b.g2Neg(cred.vk.alpha)), c),
        b.g2Msm(
          [b.g2Generator(), ...cred.vk.betaG2.slice(0, 2)],
          [mauled.responseR, ...(theta.responsesM as bigint[])],
        ),
      );
      expect(b.g2Eq(lhs, theta.commitmentKappa)).toBe(true); // the Schnorr equation still holds with the old c
      expect(verifyCredential(params, cred.vk, theta, cred.publicAttributes, binding)).toBe(true);
      expect(verifyCredential(params, cred.vk, mauled, cred.publicAttributes, binding)).toBe(false);
    });

    it("the challenge changes with κ, ζ, h', s' and the binding", () => {
      const b = params.backend;
      const theta = proveCredential(params, cred.vk, cred.signature, cred.privateAttributes, {
        binding,
        publicAttributes: cred.publicAttributes,
      });
      const c = credentialChallenge(params, cred.vk, theta, cred.publicAttributes, binding);
      const g2 = b.g2Generator();
      const g1 = b.g1Generator();
      const variants = [
        { ...theta, kappa: b.g2Add(theta.kappa, g2) },
        { ...theta, zeta: b.g2Add(theta.zeta, g2) },
        { ...theta, hPrime: b.g1Add(theta.hPrime, g1) },
        { ...theta, sPrime: b.g1Add(theta.sPrime, g1) },
      ];
      for (const v of variants)
        expect(credentialChallenge(params, cred.vk, v, cred.publicAttributes, binding)).not.toBe(c);
      expect(credentialChallenge(params, cred.vk, theta, cred.publicAttributes, enc("other"))).not.toBe(c);
    });
  });
});
