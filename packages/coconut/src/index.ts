/**
 * @nym-ts/coconut: Coconut threshold-issuance selective-disclosure credentials over BLS12-381 (Sonnino et al.,
 * NDSS 2019, arXiv 1802.07344), in the hardened form of Nym's audited Rust crate (nym-coconut), plus a verifier binding
 * and batch verification. Pure library: no I/O, no logging; randomness comes from an injectable `(n) => Uint8Array`.
 * Sources: docs/architecture.md ("Sources").
 *
 * Scheme (additive notation, [x]P scalar multiplication, e: G1×G2→GT, r the group order, q attributes, k private
 * first, then m public; h_i = HashToG1("h"‖i) by RFC 9380 SSWU/SHA-256 under our own DST):
 * - Keys (trusted dealer, Shamir over Fr, any t of n): sk_i = (x_i, y_i,j); vk_i = ([x_i]g2, [y_i,j]g1, [y_i,j]g2).
 *   Aggregation uses Lagrange coefficients at the actual signer indices.
 * - PrepareBlindSign: cm = [r]g1 + Σ[m_i]h_i (all attributes); h = HashToG1(cm ‖ public attributes);
 *   c_j = [o_j]g1 + [m_j]h (Pedersen, no ElGamal key); π_s proves cm − Σ[pub_l]h_{k+l} and the c_j open consistently.
 * - BlindSign: c̃ = [x]h + Σ[y_j]c_j + [Σ y_{k+l}·pub_l]h. Unblind: s = c̃ − Σ[o_j]β_g1_j.
 *   Partial check: e(c̃, g2) = e(h, α_i)·Πe(c_j, β_i,j)·Πe([pub_l]h, β_i,k+l). AggCred: s = Σ[l_i]s_i.
 * - ProveCred (no ν): h' = [r']h, s' = [r']s + [r]h', κ = [r]g2 + α + Σ_j[m_j]β_j, ζ = [m_1]g2 (serial number tag).
 *   π_v in commitment form: Aw = [w_r]g2 + Σ[w_j]β_j, Cw = [w_1]g2, c = H(vk, k, pub, binding, h', s', κ, ζ, Aw, Cw),
 *   responses r_r = w_r − c·r, r_j = w_j − c·m_j.
 * - VerifyCred: Aw = [c](κ − α) + [r_r]g2 + Σ[r_j]β_j, Cw = [c]ζ + [r_1]g2, h' ≠ 1 and
 *   e(h', κ + Σ[pub_l]β_{k+l})·e(−s', g2) = 1 (one multi-Miller loop, one final exponentiation).
 * - Batch: random 128-bit weights fold all Schnorr equations into one G2 MSM (fixed bases paid once) and all pairing
 *   equations into one multi-Miller loop with one final exponentiation (see verifyCredentialBatch).
 *
 * Decisions where the sources differ or are silent:
 * - Challenges are 128 bits (the first 16 bytes of a tagged SHA-256 of the transcript): soundness 2^-128, at the
 *   curve's security level, and half-length scalars make [c]κ and [c]ζ cheaper.
 * - π_v carries its commitments (Aw, Cw) instead of the challenge. A verifier that needed to recompute them to hash
 *   them could batch only the pairings; with them in the proof, N proofs cost one shared MSM (4 G2 points each) and
 *   the fixed-base work (g2, α, β) once. Cost: 160 more bytes per proof.
 * - The verifier binding (the SP's identifier bytes) and the disclosed public attributes are hashed into c, so a proof
 *   shown to SP A fails at SP B. ζ = [s]g2 is revealed; the chain records its 96 canonical bytes (zetaBytes).
 * - The verifier's public attributes fix the layout: a proof must hide exactly (key attributes − public ones), so a
 *   disclosed value cannot be read from another attribute's slot (a value-inflation attack on a credential issued
 *   with, e.g., binding number 1000 and value 0). Unused trailing attributes are disclosed as 0.
 *
 * Sizes (bytes, with the 2-byte version/type header): Signature and BlindedSignature 98; VerificationKey 99 + 144q;
 * BlindSignRequest 99 + 112k; Theta 515 + 32k (579 for k = 2); SecretKey 37 + 32q.
 *
 * Backends: `nobleBackend()` (reference, pure JS, default), `await mclBackend()` (mcl-wasm, with 10-bit signed
 * fixed-base tables for g2, α and the β, mcl's multi-Miller loop and precomputed g2 lines) and `blstBackend()`
 * (supranational's blst in the Rust N-API addon of native/, built by `make bootstrap`: pippenger MSMs, 8-bit signed
 * fixed-base G2 tables, blst's multi-Miller loop). `await fastestBackend()` returns blst when its addon loads, else
 * mcl. All three produce byte-identical encodings from the same inputs (pinned by test/vectors). `pnpm bench`
 * measures (2-core machine, one run): VerifyCred 1.6 ms on blst (≈ 2.3 blst pairings: a 2-pair Miller loop and final
 * exponentiation ≈ 1.3, [c]κ and [c]ζ ≈ 0.5, fixed-base work ≈ 0.3) against 7.2 ms on mcl (≈ 1.8 mcl pairings); batch
 * verification at N = 100 ≈ 0.4 VerifyCred per credential on both. Decoding a Θ (decompression and subgroup checks of
 * 2 G1 + 4 G2 points) costs another ≈ 0.75 pairing and is not part of VerifyCred.
 *
 * Side channels: issuer-secret multiplications (blindSign, sign) are constant-time on every backend. The mcl and blst
 * backends' other paths (MSMs, fixed-base tables) are variable-time; they see user secrets (attributes, openings,
 * proof witnesses) only on the user's own machine, and the dealt key shares only once, at key generation.
 *
 * @example
 * const params = setup(3, { backend: await fastestBackend() }); // blst when its addon is built, else mcl
 * const shares = ttpKeygen(params, 2, 3);
 * const vk = aggregateVerificationKeys(params, shares.slice(0, 2).map((s) => ({ index: s.index, verificationKey: s.verificationKey })));
 * const [serial, binding, value] = [randomAttribute(), randomAttribute(), 10n];
 * const { request, openings } = prepareBlindSign(params, [serial, binding], [value]);
 * const partials = shares.slice(1).map((s) => ({
 *   index: s.index,
 *   signature: unblindSignature(params, blindSign(params, s.secretKey, request, [value]), openings, s.verificationKey),
 * }));
 * const sig = aggregateSignatures(params, partials);
 * const sp = new TextEncoder().encode("sp-address");
 * const theta = proveCredential(params, vk, sig, [serial, binding], { binding: sp, publicAttributes: [value] });
 * verifyCredential(params, vk, theta, [value], sp); // true
 * zetaBytes(params, theta); // the double-spend tag
 */

export { hashToScalar, randomAttribute } from "./attributes.js";
export { blstBackend, fastestBackend } from "./backend/blst.js";
export { mclBackend } from "./backend/mcl.js";
export { nobleBackend } from "./backend/noble.js";
export type { Backend, DecodedPoints, G1, G2, G2Table } from "./backend/types.js";
export { fromHex, toHex } from "./bytes.js";
export * from "./encoding.js";
export { defaultRng, R as GROUP_ORDER, type Rng } from "./fr.js";
export {
  aggregateSignatures,
  aggregateVerificationKeys,
  BATCH_WEIGHT_BITS,
  type BatchItem,
  type BatchOptions,
  type BlindedSignature,
  type BlindSignRequest,
  blindSign,
  CHALLENGE_BYTES,
  checkVerificationKey,
  commitmentHash,
  computeZeta,
  credentialChallenge,
  DST_COMMITMENT_HASH,
  DST_PARAMS,
  DST_PUBLIC_SIGN,
  type IndexedSignature,
  type IndexedVerificationKey,
  IssuanceProofError,
  type KeyShare,
  keygen,
  lagrangeAtZero,
  MAX_ATTRIBUTES,
  MAX_ISSUERS,
  type Params,
  type PrepareBlindSignResult,
  type ProveOptions,
  prepareBlindSign,
  prepareVerificationKey,
  proveCredential,
  type RngOption,
  randomizeSignature,
  type SecretKey,
  type Signature,
  setup,
  sign,
  type Theta,
  ttpKeygen,
  unblind,
  unblindSignature,
  type VerificationKey,
  verificationKeyOf,
  verifyBlindSignRequest,
  verifyCredential,
  verifyCredentialBatch,
  verifyPartialBlindSignature,
  verifySignature,
  zetaBytes,
} from "./scheme.js";
