import { sha256 } from "@noble/hashes/sha2.js";
import { nobleBackend } from "./backend/noble.js";
import type { Backend, G1, G2, G2Table } from "./backend/types.js";
import { assertBytes, utf8, Writer } from "./bytes.js";
import type { Rng } from "./fr.js";
import * as fr from "./fr.js";

// ---------------------------------------------------------------------------------------------------------------
// Domain separation. Our own tags (not the RFC 9380 test-vector tag the Rust implementation used).

export const DST_PARAMS = utf8("NYM-TS-COCONUT-V1_BLS12381G1_XMD:SHA-256_SSWU_RO_PARAMS_");
export const DST_COMMITMENT_HASH = utf8("NYM-TS-COCONUT-V1_BLS12381G1_XMD:SHA-256_SSWU_RO_COMMITMENT_");
export const DST_PUBLIC_SIGN = utf8("NYM-TS-COCONUT-V1_BLS12381G1_XMD:SHA-256_SSWU_RO_SIGN_");
const TAG_PI_S = utf8("NYM-TS-COCONUT-V1_CHALLENGE_PI_S");
const TAG_PI_V = utf8("NYM-TS-COCONUT-V1_CHALLENGE_PI_V");
const TAG_VK = utf8("NYM-TS-COCONUT-V1_VK_DIGEST");

/** Fiat-Shamir challenges are 128-bit integers (see the doc block in index.ts for why). */
export const CHALLENGE_BYTES = 16;
/** Weights of the random linear combination in batch verification. */
export const BATCH_WEIGHT_BITS = 128;
/** Upper bound on q (attributes per credential): the encodings carry counts in one byte. */
export const MAX_ATTRIBUTES = 255;
/** Upper bound on n (issuers): indices are encoded as u16. */
export const MAX_ISSUERS = 65535;

// ---------------------------------------------------------------------------------------------------------------
// Objects

export interface Params {
  /** Maximum number of attributes (private + public) per credential. */
  readonly q: number;
  readonly backend: Backend;
  /** h_1..h_q = HashToG1("h" || i) with DST_PARAMS (1-based, like the Nym Rust crate). */
  readonly hs: readonly G1[];
}

export interface SecretKey {
  /** Issuer index (1..n) for threshold shares; the polynomial is evaluated at this point. */
  readonly index: number;
  readonly x: bigint;
  readonly y: readonly bigint[];
}

export interface VerificationKey {
  /** α = [x]g2 */
  readonly alpha: G2;
  /** β_g1_j = [y_j]g1 (needed to unblind Pedersen-blinded signatures) */
  readonly betaG1: readonly G1[];
  /** β_g2_j = [y_j]g2 */
  readonly betaG2: readonly G2[];
}

export interface KeyShare {
  readonly index: number;
  readonly secretKey: SecretKey;
  readonly verificationKey: VerificationKey;
}

/** Λ: the user's blind-sign request (Pedersen commitments to the private attributes plus π_s). */
export interface BlindSignRequest {
  /** cm = [r]g1 + Σ_i [m_i]h_i over all attributes (private then public). */
  readonly commitment: G1;
  /** c_j = [o_j]g1 + [m_j]h for each private attribute. */
  readonly attributeCommitments: readonly G1[];
  /** π_s: challenge (128-bit) and responses. */
  readonly challenge: bigint;
  readonly responseR: bigint;
  readonly responsesO: readonly bigint[];
  readonly responsesM: readonly bigint[];
}

export interface PrepareBlindSignResult {
  readonly request: BlindSignRequest;
  /** The Pedersen openings o_j: secret, needed to unblind. */
  readonly openings: readonly bigint[];
}

export interface BlindedSignature {
  readonly h: G1;
  /** c̃ = [x]h + Σ_j [y_j]c_j + [Σ_l y_{k+l}·pub_l]h */
  readonly c: G1;
}

export interface Signature {
  readonly h: G1;
  readonly s: G1;
}

export interface IndexedSignature {
  readonly index: number;
  readonly signature: Signature;
}

export interface IndexedVerificationKey {
  readonly index: number;
  readonly verificationKey: VerificationKey;
}

/**
 * Θ: a shown credential. Commitment form: the proof carries its commitments (Aw, Cw) rather than the challenge, so a
 * verifier can fold many proofs into one multi-scalar check (see verifyCredentialBatch).
 */
export interface Theta {
  /** h' = [r']h */
  readonly hPrime: G1;
  /** s' = [r']s + [r]h' */
  readonly sPrime: G1;
  /** κ = [r]g2 + α + Σ_j [m_j]β_j over the private attributes */
  readonly kappa: G2;
  /** ζ = [s]g2 with s the first private attribute (the serial number): the double-spend tag */
  readonly zeta: G2;
  /** Aw = [w_r]g2 + Σ_j [w_j]β_j */
  readonly commitmentKappa: G2;
  /** Cw = [w_1]g2 */
  readonly commitmentZeta: G2;
  readonly responseR: bigint;
  readonly responsesM: readonly bigint[];
}

export interface RngOption {
  /** Randomness source `(n) => Uint8Array`; default crypto.getRandomValues. */
  readonly rng?: Rng;
}

/** Thrown by blindSign when a request's issuance proof does not verify. */
export class IssuanceProofError extends RangeError {
  readonly code = "COCONUT_INVALID_ISSUANCE_PROOF";
  constructor() {
    super("request: the issuance proof (π_s) does not verify");
    this.name = "IssuanceProofError";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Internal caches (fixed-base tables and digests), keyed by the objects themselves.

interface ParamsCache {
  g2Table?: G2Table;
}
interface VkCache {
  alpha: G2Table;
  betas: G2Table[];
  digest: Uint8Array;
}
const paramsCache = new WeakMap<Params, ParamsCache>();
const vkCache = new WeakMap<VerificationKey, VkCache>();

function g2Table(params: Params): G2Table {
  let c = paramsCache.get(params);
  if (!c) {
    c = {};
    paramsCache.set(params, c);
  }
  c.g2Table ??= params.backend.g2Precompute(params.backend.g2Generator());
  return c.g2Table;
}

function vkTables(params: Params, vk: VerificationKey): VkCache {
  let c = vkCache.get(vk);
  if (!c) {
    const b = params.backend;
    c = {
      alpha: b.g2Precompute(vk.alpha),
      betas: vk.betaG2.map((p) => b.g2Precompute(p)),
      digest: vkDigest(params, vk),
    };
    vkCache.set(vk, c);
  }
  return c;
}

function vkDigest(params: Params, vk: VerificationKey): Uint8Array {
  const b = params.backend;
  const w = new Writer().varBytes(TAG_VK).u8(vk.betaG2.length).bytes(b.g2ToBytes(vk.alpha));
  for (const p of vk.betaG1) w.bytes(b.g1ToBytes(p));
  for (const p of vk.betaG2) w.bytes(b.g2ToBytes(p));
  return sha256(w.finish());
}

/**
 * Ensures the fixed-base tables for `vk` (α and the β_g2) are built. Optional: verification builds them on first use;
 * a verifier may call this at start-up so the first credential is not slower than the rest.
 */
export function prepareVerificationKey(params: Params, vk: VerificationKey): void {
  checkVk(params, vk, "vk");
  vkTables(params, vk);
  g2Table(params);
}

// ---------------------------------------------------------------------------------------------------------------
// Validation helpers

function rngOf(options: RngOption | undefined): Rng {
  const rng = options?.rng ?? fr.defaultRng;
  if (typeof rng !== "function") throw new TypeError("options.rng: expected a function (n) => Uint8Array");
  return rng;
}

function checkParams(params: Params): void {
  if (typeof params !== "object" || params === null || !Array.isArray(params.hs) || !params.backend) {
    throw new TypeError("params: expected the result of setup()");
  }
}

function checkScalars(xs: unknown, name: string): asserts xs is readonly bigint[] {
  if (!Array.isArray(xs)) throw new TypeError(`${name}: expected an array of bigint scalars`);
  xs.forEach((x, i) => {
    fr.assertScalar(x, `${name}[${i}]`);
  });
}

function checkG1(params: Params, x: unknown, name: string): asserts x is G1 {
  if (!params.backend.isG1(x))
    throw new TypeError(`${name}: expected a G1 point of the ${params.backend.name} backend`);
}

function checkG2(params: Params, x: unknown, name: string): asserts x is G2 {
  if (!params.backend.isG2(x))
    throw new TypeError(`${name}: expected a G2 point of the ${params.backend.name} backend`);
}

function checkSignatureShape(params: Params, sig: unknown, name: string): asserts sig is Signature {
  if (typeof sig !== "object" || sig === null) throw new TypeError(`${name}: expected a Signature`);
  checkG1(params, (sig as Signature).h, `${name}.h`);
  checkG1(params, (sig as Signature).s, `${name}.s`);
}

function checkBlinded(params: Params, blinded: unknown): asserts blinded is BlindedSignature {
  if (typeof blinded !== "object" || blinded === null) throw new TypeError("blinded: expected a BlindedSignature");
  checkG1(params, (blinded as BlindedSignature).h, "blinded.h");
  checkG1(params, (blinded as BlindedSignature).c, "blinded.c");
}

function checkIndex(index: unknown, name: string): asserts index is number {
  if (typeof index !== "number" || !Number.isInteger(index)) throw new TypeError(`${name}: expected an integer`);
  if (index < 1 || index > MAX_ISSUERS) throw new RangeError(`${name}: must be in [1, ${MAX_ISSUERS}]`);
}

function checkVk(params: Params, vk: VerificationKey, name: string): void {
  if (typeof vk !== "object" || vk === null || !Array.isArray(vk.betaG1) || !Array.isArray(vk.betaG2)) {
    throw new TypeError(`${name}: expected a VerificationKey`);
  }
  if (vk.betaG1.length !== vk.betaG2.length) throw new RangeError(`${name}: betaG1 and betaG2 lengths differ`);
  checkG2(params, vk.alpha, `${name}.alpha`);
  vk.betaG1.forEach((p, j) => {
    checkG1(params, p, `${name}.betaG1[${j}]`);
  });
  vk.betaG2.forEach((p, j) => {
    checkG2(params, p, `${name}.betaG2[${j}]`);
  });
  if (vk.betaG2.length > params.q) throw new RangeError(`${name}: has more attributes than params.q`);
}

function checkAttributeCounts(params: Params, k: number, m: number, name: string): void {
  if (k < 1) throw new RangeError(`${name}: at least one private attribute (the serial number) is required`);
  if (k + m > params.q) throw new RangeError(`${name}: ${k} private + ${m} public attributes exceed q = ${params.q}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Setup and keys

/** Setup(q): the public parameters for credentials of up to q attributes. */
export function setup(q: number, options?: { backend?: Backend }): Params {
  if (typeof q !== "number" || !Number.isInteger(q)) throw new TypeError("q: expected an integer");
  if (q < 1 || q > MAX_ATTRIBUTES) throw new RangeError(`q: must be in [1, ${MAX_ATTRIBUTES}]`);
  const backend = options?.backend ?? nobleBackend();
  const hs: G1[] = [];
  for (let i = 1; i <= q; i++) hs.push(backend.hashToG1(utf8(`h${i}`), DST_PARAMS));
  return { q, backend, hs };
}

function polyEval(coefficients: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let i = coefficients.length - 1; i >= 0; i--) acc = fr.add(fr.mul(acc, x), coefficients[i] as bigint);
  return acc;
}

export function verificationKeyOf(params: Params, sk: SecretKey): VerificationKey {
  const b = params.backend;
  return {
    alpha: b.g2Mul(b.g2Generator(), sk.x),
    betaG1: sk.y.map((y) => b.g1Mul(b.g1Generator(), y)),
    betaG2: sk.y.map((y) => b.g2Mul(b.g2Generator(), y)),
  };
}

/**
 * TTPKeyGen(t, n): a trusted dealer's Shamir sharing over Fr of a fresh key (x, y_1..y_q). Share i (1-based) holds
 * x_i = v(i), y_{i,j} = w_j(i) for random polynomials of degree t-1. Any t shares reconstruct; t-1 reveal nothing.
 */
export function ttpKeygen(params: Params, t: number, n: number, options?: RngOption): KeyShare[] {
  checkParams(params);
  if (typeof t !== "number" || !Number.isInteger(t)) throw new TypeError("t: expected an integer");
  if (typeof n !== "number" || !Number.isInteger(n)) throw new TypeError("n: expected an integer");
  if (n < 1 || n > MAX_ISSUERS) throw new RangeError(`n: must be in [1, ${MAX_ISSUERS}]`);
  if (t < 1 || t > n) throw new RangeError("t: must satisfy 1 <= t <= n");
  const rng = rngOf(options);
  const v = Array.from({ length: t }, () => fr.randomScalar(rng));
  const ws = Array.from({ length: params.q }, () => Array.from({ length: t }, () => fr.randomScalar(rng)));
  const shares: KeyShare[] = [];
  for (let i = 1; i <= n; i++) {
    const xi = BigInt(i);
    const secretKey: SecretKey = { index: i, x: polyEval(v, xi), y: ws.map((w) => polyEval(w, xi)) };
    shares.push({ index: i, secretKey, verificationKey: verificationKeyOf(params, secretKey) });
  }
  return shares;
}

/** KeyGen for a single authority (a 1-of-1 sharing, index 1). */
export function keygen(params: Params, options?: RngOption): KeyShare {
  return ttpKeygen(params, 1, 1, options)[0] as KeyShare;
}

/** Lagrange coefficients at 0 for the given distinct signer indices (asonnino/coconut#8: never assume 1..t). */
export function lagrangeAtZero(indices: readonly number[]): bigint[] {
  const seen = new Set<number>();
  indices.forEach((i, n) => {
    checkIndex(i, `indices[${n}]`);
    if (seen.has(i)) throw new RangeError(`indices[${n}]: duplicate index ${i}`);
    seen.add(i);
  });
  return indices.map((i) => {
    let num = 1n;
    let den = 1n;
    for (const j of indices) {
      if (j === i) continue;
      num = fr.mul(num, BigInt(j));
      den = fr.mul(den, fr.sub(BigInt(j), BigInt(i)));
    }
    return fr.mul(num, fr.inv(den));
  });
}

/** AggKey: α = Σ [l_i]α_i, β_j = Σ [l_i]β_{i,j} over any t shares. */
export function aggregateVerificationKeys(params: Params, shares: readonly IndexedVerificationKey[]): VerificationKey {
  checkParams(params);
  if (!Array.isArray(shares) || shares.length === 0) throw new RangeError("shares: expected at least one share");
  shares.forEach((s, i) => {
    checkVk(params, s.verificationKey, `shares[${i}].verificationKey`);
  });
  const q = shares[0]?.verificationKey.betaG2.length ?? 0;
  shares.forEach((s, i) => {
    if (s.verificationKey.betaG2.length !== q) throw new RangeError(`shares[${i}]: attribute count differs`);
  });
  const l = lagrangeAtZero(shares.map((s) => s.index));
  const b = params.backend;
  return {
    alpha: b.g2Msm(
      shares.map((s) => s.verificationKey.alpha),
      l,
    ),
    betaG1: Array.from({ length: q }, (_, j) =>
      b.g1Msm(
        shares.map((s) => s.verificationKey.betaG1[j] as G1),
        l,
      ),
    ),
    betaG2: Array.from({ length: q }, (_, j) =>
      b.g2Msm(
        shares.map((s) => s.verificationKey.betaG2[j] as G2),
        l,
      ),
    ),
  };
}

/** Checks e(g1, β_g2_j) = e(β_g1_j, g2) for every j and that no key element is the identity. */
export function checkVerificationKey(params: Params, vk: VerificationKey): boolean {
  checkParams(params);
  checkVk(params, vk, "vk");
  const b = params.backend;
  if (b.g2IsIdentity(vk.alpha)) return false;
  for (let j = 0; j < vk.betaG2.length; j++) {
    const b1 = vk.betaG1[j] as G1;
    const b2 = vk.betaG2[j] as G2;
    if (b.g1IsIdentity(b1) || b.g2IsIdentity(b2)) return false;
    if (
      !b.pairingCheck([
        [b.g1Generator(), b2],
        [b.g1Neg(b1), b.g2Generator()],
      ])
    )
      return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Fiat-Shamir

function challenge(tag: Uint8Array, body: Uint8Array): bigint {
  const digest = sha256(new Writer().varBytes(tag).bytes(body).finish());
  return fr.bytesToBigInt(digest.subarray(0, CHALLENGE_BYTES));
}

function scalarList(w: Writer, xs: readonly bigint[]): Writer {
  w.u8(xs.length);
  for (const x of xs) w.scalar(x);
  return w;
}

// ---------------------------------------------------------------------------------------------------------------
// Issuance

/**
 * h = HashToG1(cm ‖ u8 m ‖ pub_1 ‖ … ‖ pub_m) with DST_COMMITMENT_HASH: the public attributes are hashed into h, so a
 * signature on one set of public values cannot be turned into one on another (NYM-RS, PR #3231).
 */
export function commitmentHash(params: Params, commitment: G1, publicAttributes: readonly bigint[]): G1 {
  const b = params.backend;
  const msg = scalarList(new Writer().bytes(b.g1ToBytes(commitment)), publicAttributes).finish();
  return b.hashToG1(msg, DST_COMMITMENT_HASH);
}

function piSChallenge(
  params: Params,
  request: Omit<BlindSignRequest, "challenge" | "responseR" | "responsesO" | "responsesM">,
  h: G1,
  publicAttributes: readonly bigint[],
  cw: G1,
  cwj: readonly G1[],
): bigint {
  const b = params.backend;
  const w = new Writer().u8(params.q).bytes(b.g1ToBytes(request.commitment)).bytes(b.g1ToBytes(h));
  w.u8(request.attributeCommitments.length);
  for (const c of request.attributeCommitments) w.bytes(b.g1ToBytes(c));
  scalarList(w, publicAttributes);
  w.bytes(b.g1ToBytes(cw));
  for (const c of cwj) w.bytes(b.g1ToBytes(c));
  return challenge(TAG_PI_S, w.finish());
}

/**
 * PrepareBlindSign: commits to all attributes, derives h from the commitment and the public attributes, blinds each
 * private attribute in a Pedersen commitment c_j = [o_j]g1 + [m_j]h and proves (π_s) that cm opens to the private
 * attributes *together with the given public ones* and that each c_j commits to the same m_j.
 */
export function prepareBlindSign(
  params: Params,
  privateAttributes: readonly bigint[],
  publicAttributes: readonly bigint[],
  options?: RngOption,
): PrepareBlindSignResult {
  checkParams(params);
  checkScalars(privateAttributes, "privateAttributes");
  checkScalars(publicAttributes, "publicAttributes");
  const k = privateAttributes.length;
  const m = publicAttributes.length;
  checkAttributeCounts(params, k, m, "attributes");
  if (privateAttributes[0] === 0n) throw new RangeError("privateAttributes[0]: the serial number must be nonzero");
  const rng = rngOf(options);
  const b = params.backend;
  const g1 = b.g1Generator();
  const all = [...privateAttributes, ...publicAttributes];
  for (;;) {
    const r = fr.randomScalar(rng);
    const commitment = b.g1Msm([g1, ...params.hs.slice(0, k + m)], [r, ...all]);
    const h = commitmentHash(params, commitment, publicAttributes);
    if (b.g1IsIdentity(h) || b.g1IsIdentity(commitment)) continue; // negligible; retry with fresh randomness
    const openings = privateAttributes.map(() => fr.randomScalar(rng));
    const attributeCommitments = privateAttributes.map((mj, j) => b.g1Msm([g1, h], [openings[j] as bigint, mj]));
    const wr = fr.randomScalar(rng);
    const wo = privateAttributes.map(() => fr.randomScalar(rng));
    const wm = privateAttributes.map(() => fr.randomScalar(rng));
    const cw = b.g1Msm([g1, ...params.hs.slice(0, k)], [wr, ...wm]);
    const cwj = wm.map((w, j) => b.g1Msm([g1, h], [wo[j] as bigint, w]));
    const c = piSChallenge(params, { commitment, attributeCommitments }, h, publicAttributes, cw, cwj);
    const request: BlindSignRequest = {
      commitment,
      attributeCommitments,
      challenge: c,
      responseR: fr.sub(wr, fr.mul(c, r)),
      responsesO: wo.map((w, j) => fr.sub(w, fr.mul(c, openings[j] as bigint))),
      responsesM: wm.map((w, j) => fr.sub(w, fr.mul(c, privateAttributes[j] as bigint))),
    };
    return { request, openings };
  }
}

function checkRequestShape(params: Params, request: BlindSignRequest, publicAttributes: readonly bigint[]): void {
  if (typeof request !== "object" || request === null || !Array.isArray(request.attributeCommitments)) {
    throw new TypeError("request: expected a BlindSignRequest");
  }
  checkScalars(publicAttributes, "publicAttributes");
  checkG1(params, request.commitment, "request.commitment");
  request.attributeCommitments.forEach((c, j) => {
    checkG1(params, c, `request.attributeCommitments[${j}]`);
  });
  const k = request.attributeCommitments.length;
  checkAttributeCounts(params, k, publicAttributes.length, "request");
  checkScalars(request.responsesO, "request.responsesO");
  checkScalars(request.responsesM, "request.responsesM");
  if (request.responsesO.length !== k || request.responsesM.length !== k) {
    throw new RangeError("request: response counts do not match the number of private attributes");
  }
  fr.assertScalar(request.responseR, "request.responseR");
  fr.assertScalar(request.challenge, "request.challenge");
}

/** Verifies π_s against the public attributes the issuer is asked to sign; returns h when valid. */
function verifyRequest(params: Params, request: BlindSignRequest, publicAttributes: readonly bigint[]): G1 | null {
  const b = params.backend;
  const k = request.attributeCommitments.length;
  const m = publicAttributes.length;
  if (b.g1IsIdentity(request.commitment)) return null;
  if (request.attributeCommitments.some((c) => b.g1IsIdentity(c))) return null;
  const h = commitmentHash(params, request.commitment, publicAttributes);
  if (b.g1IsIdentity(h)) return null;
  const c = request.challenge;
  const g1 = b.g1Generator();
  // Cw = [c](cm − Σ_l [pub_l]h_{k+l}) + [r_r]g1 + Σ_j [r_m_j]h_j: the public part is subtracted with the values the
  // issuer will sign, so the proof only holds if cm was built from exactly those (the PY / NT-COCO pitfall).
  const cw = b.g1Msm(
    [request.commitment, g1, ...params.hs.slice(0, k), ...params.hs.slice(k, k + m)],
    [c, request.responseR, ...request.responsesM, ...publicAttributes.map((p) => fr.sub(0n, fr.mul(c, p)))],
  );
  const cwj = request.attributeCommitments.map((cj, j) =>
    b.g1Msm([cj, g1, h], [c, request.responsesO[j] as bigint, request.responsesM[j] as bigint]),
  );
  return piSChallenge(params, request, h, publicAttributes, cw, cwj) === c ? h : null;
}

/** Checks a blind-sign request's issuance proof against the public attributes (what an issuer does first). */
export function verifyBlindSignRequest(
  params: Params,
  request: BlindSignRequest,
  publicAttributes: readonly bigint[],
): boolean {
  checkParams(params);
  checkRequestShape(params, request, publicAttributes);
  return verifyRequest(params, request, publicAttributes) !== null;
}

/**
 * BlindSign by one issuer: verifies π_s (throws IssuanceProofError if it fails), recomputes h from cm and the public
 * attributes, and returns (h, [x]h + Σ_j [y_j]c_j + [Σ_l y_{k+l}·pub_l]h).
 */
export function blindSign(
  params: Params,
  secretKey: SecretKey,
  request: BlindSignRequest,
  publicAttributes: readonly bigint[],
): BlindedSignature {
  checkParams(params);
  checkSecretKey(params, secretKey);
  checkRequestShape(params, request, publicAttributes);
  const k = request.attributeCommitments.length;
  if (k + publicAttributes.length > secretKey.y.length) throw new RangeError("request: more attributes than the key");
  const h = verifyRequest(params, request, publicAttributes);
  if (!h) throw new IssuanceProofError();
  let hScalar = secretKey.x;
  publicAttributes.forEach((p, l) => {
    hScalar = fr.add(hScalar, fr.mul(secretKey.y[k + l] as bigint, p));
  });
  // constant-time multiplications: the scalars are the issuer's secret key and signing time is observable remotely
  const b = params.backend;
  let c = b.g1MulSecret(h, hScalar);
  request.attributeCommitments.forEach((cj, j) => {
    c = b.g1Add(c, b.g1MulSecret(cj, secretKey.y[j] as bigint));
  });
  return { h, c };
}

function checkSecretKey(params: Params, sk: SecretKey): void {
  if (typeof sk !== "object" || sk === null) throw new TypeError("secretKey: expected a SecretKey");
  checkIndex(sk.index, "secretKey.index");
  fr.assertScalar(sk.x, "secretKey.x");
  checkScalars(sk.y, "secretKey.y");
  if (sk.y.length > params.q) throw new RangeError("secretKey.y: more attributes than params.q");
}

/** Unblind: σ_i = (h, c̃ − Σ_j [o_j]β_g1_{i,j}) with the issuer's verification key. */
export function unblindSignature(
  params: Params,
  blinded: BlindedSignature,
  openings: readonly bigint[],
  issuerKey: VerificationKey,
): Signature {
  checkParams(params);
  checkScalars(openings, "openings");
  checkVk(params, issuerKey, "issuerKey");
  if (openings.length < 1 || openings.length > issuerKey.betaG1.length) {
    throw new RangeError("openings: count does not fit the issuer key");
  }
  const b = params.backend;
  checkBlinded(params, blinded);
  if (b.g1IsIdentity(blinded.h)) throw new RangeError("blinded.h: identity point");
  const blinding = b.g1Msm(issuerKey.betaG1.slice(0, openings.length), openings);
  return { h: blinded.h, s: b.g1Add(blinded.c, b.g1Neg(blinding)) };
}

export const unblind = unblindSignature;

/**
 * Checks one issuer's blinded signature before unblinding (NYM-RS verify_partial_blind_signature), as one multi-Miller
 * loop: e(c̃, g2)^-1 · e(h, α_i) · Π_j e(c_j, β_{i,j}) · Π_l e([pub_l]h, β_{i,k+l}) = 1, and h must be the hash of
 * the request's commitment and public attributes.
 */
export function verifyPartialBlindSignature(
  params: Params,
  request: BlindSignRequest,
  publicAttributes: readonly bigint[],
  blinded: BlindedSignature,
  issuerKey: VerificationKey,
): boolean {
  checkParams(params);
  checkRequestShape(params, request, publicAttributes);
  checkVk(params, issuerKey, "issuerKey");
  const b = params.backend;
  const k = request.attributeCommitments.length;
  if (k + publicAttributes.length > issuerKey.betaG2.length) return false;
  checkBlinded(params, blinded);
  if (b.g1IsIdentity(blinded.h) || b.g1IsIdentity(blinded.c)) return false;
  if (!b.g1Eq(blinded.h, commitmentHash(params, request.commitment, publicAttributes))) return false;
  const pairs: [G1, G2][] = [
    [b.g1Neg(blinded.c), b.g2Generator()],
    [blinded.h, issuerKey.alpha],
  ];
  request.attributeCommitments.forEach((c, j) => {
    pairs.push([c, issuerKey.betaG2[j] as G2]);
  });
  publicAttributes.forEach((p, l) => {
    pairs.push([b.g1Mul(blinded.h, p), issuerKey.betaG2[k + l] as G2]);
  });
  return b.pairingCheck(pairs);
}

/** AggCred: σ = (h, Σ [l_i]s_i) with Lagrange coefficients at the actual signer indices. All h must agree. */
export function aggregateSignatures(params: Params, partials: readonly IndexedSignature[]): Signature {
  checkParams(params);
  if (!Array.isArray(partials) || partials.length === 0) throw new RangeError("partials: expected at least one");
  const b = params.backend;
  partials.forEach((p, i) => {
    if (typeof p !== "object" || p === null) throw new TypeError(`partials[${i}]: expected { index, signature }`);
    checkSignatureShape(params, p.signature, `partials[${i}].signature`);
  });
  const h = (partials[0] as IndexedSignature).signature.h;
  partials.forEach((p, i) => {
    if (!b.g1Eq(p.signature.h, h)) throw new RangeError(`partials[${i}]: h differs from partials[0]`);
  });
  if (b.g1IsIdentity(h)) throw new RangeError("partials[0].signature.h: identity point");
  const l = lagrangeAtZero(partials.map((p) => p.index));
  return {
    h,
    s: b.g1Msm(
      partials.map((p) => p.signature.s),
      l,
    ),
  };
}

/** Verify(vk, m, σ): h ≠ 1 and e(h, α + Σ_j [m_j]β_j) = e(s, g2), with all attributes in the clear. */
export function verifySignature(
  params: Params,
  vk: VerificationKey,
  signature: Signature,
  attributes: readonly bigint[],
): boolean {
  checkParams(params);
  checkVk(params, vk, "vk");
  checkScalars(attributes, "attributes");
  if (attributes.length > vk.betaG2.length) throw new RangeError("attributes: more than the key supports");
  const b = params.backend;
  checkSignatureShape(params, signature, "signature");
  if (b.g1IsIdentity(signature.h) || b.g1IsIdentity(signature.s)) return false;
  const key = b.g2Add(vk.alpha, b.g2Msm(vk.betaG2.slice(0, attributes.length), attributes));
  return b.pairingCheck([
    [signature.h, key],
    [b.g1Neg(signature.s), b.g2Generator()],
  ]);
}

/**
 * Public-only Sign (no blinding): h = HashToG1(u8 m ‖ m_1 ‖ … ‖ m_m) with DST_PUBLIC_SIGN, i.e. the length-prefixed
 * attribute list. Hashing g1·Σm_i instead (the pre-2024 Nym code) allows forgery by linear combination (Cure53 SI-86).
 */
export function sign(params: Params, secretKey: SecretKey, publicAttributes: readonly bigint[]): Signature {
  checkParams(params);
  checkSecretKey(params, secretKey);
  checkScalars(publicAttributes, "publicAttributes");
  if (publicAttributes.length < 1 || publicAttributes.length > secretKey.y.length) {
    throw new RangeError("publicAttributes: count must be in [1, key size]");
  }
  const b = params.backend;
  const h = b.hashToG1(scalarList(new Writer(), publicAttributes).finish(), DST_PUBLIC_SIGN);
  if (b.g1IsIdentity(h)) throw new RangeError("publicAttributes: hash to the identity");
  let e = secretKey.x;
  publicAttributes.forEach((m, j) => {
    e = fr.add(e, fr.mul(secretKey.y[j] as bigint, m));
  });
  return { h, s: b.g1MulSecret(h, e) };
}

/** Randomize: (h', s') = ([r']h, [r']s) for a fresh nonzero r'. */
export function randomizeSignature(params: Params, signature: Signature, options?: RngOption): Signature {
  checkParams(params);
  const b = params.backend;
  checkSignatureShape(params, signature, "signature");
  if (b.g1IsIdentity(signature.h)) throw new RangeError("signature.h: identity point");
  const r = fr.randomScalar(rngOf(options));
  return { h: b.g1Mul(signature.h, r), s: b.g1Mul(signature.s, r) };
}

// ---------------------------------------------------------------------------------------------------------------
// Show and verify

/** ζ = [s]g2 for the serial number s: the tag the chain records so a credential is spent once. */
export function computeZeta(params: Params, serialNumber: bigint): G2 {
  checkParams(params);
  fr.assertScalar(serialNumber, "serialNumber");
  if (serialNumber === 0n) throw new RangeError("serialNumber: must be nonzero");
  return params.backend.g2FixedMsm([g2Table(params)], [serialNumber]);
}

/** The canonical 96-byte encoding of Θ's ζ: the double-spend tag a chain stores and compares. */
export function zetaBytes(params: Params, theta: Theta): Uint8Array {
  checkParams(params);
  return params.backend.g2ToBytes(theta.zeta);
}

function piVChallenge(
  params: Params,
  digest: Uint8Array,
  theta: Omit<Theta, "responseR" | "responsesM">,
  k: number,
  publicAttributes: readonly bigint[],
  binding: Uint8Array,
): bigint {
  const b = params.backend;
  const w = new Writer().bytes(digest).u8(k);
  scalarList(w, publicAttributes).varBytes(binding);
  w.bytes(b.g1ToBytes(theta.hPrime)).bytes(b.g1ToBytes(theta.sPrime));
  w.bytes(b.g2ToBytes(theta.kappa)).bytes(b.g2ToBytes(theta.zeta));
  w.bytes(b.g2ToBytes(theta.commitmentKappa)).bytes(b.g2ToBytes(theta.commitmentZeta));
  return challenge(TAG_PI_V, w.finish());
}

export interface ProveOptions extends RngOption {
  /**
   * The verifier binding: the service provider's identifier bytes (e.g. its address). It enters the Fiat-Shamir
   * challenge, so a proof shown to SP A does not verify for SP B.
   */
  readonly binding: Uint8Array;
  /** The public attributes that will be disclosed with the proof (bound into the challenge too). */
  readonly publicAttributes?: readonly bigint[];
}

/**
 * ProveCred: re-randomizes σ, and proves knowledge of the private attributes behind κ and of the serial number
 * behind ζ = [m_1]g2, with a challenge over the key, κ, ζ, σ', the public attributes and the verifier binding.
 */
export function proveCredential(
  params: Params,
  vk: VerificationKey,
  signature: Signature,
  privateAttributes: readonly bigint[],
  options: ProveOptions,
): Theta {
  checkParams(params);
  checkVk(params, vk, "vk");
  checkScalars(privateAttributes, "privateAttributes");
  if (typeof options !== "object" || options === null) throw new TypeError("options: expected { binding }");
  assertBytes(options.binding, "options.binding");
  const publicAttributes = options.publicAttributes ?? [];
  checkScalars(publicAttributes, "options.publicAttributes");
  const k = privateAttributes.length;
  checkAttributeCounts(params, k, publicAttributes.length, "attributes");
  if (k + publicAttributes.length !== vk.betaG2.length) {
    throw new RangeError(
      `attributes: ${k} private + ${publicAttributes.length} public must cover the key's ${vk.betaG2.length} ` +
        "attributes (disclose unused trailing attributes as 0)",
    );
  }
  if (privateAttributes[0] === 0n) throw new RangeError("privateAttributes[0]: the serial number must be nonzero");
  const b = params.backend;
  checkSignatureShape(params, signature, "signature");
  if (b.g1IsIdentity(signature.h)) throw new RangeError("signature.h: identity point");
  const rng = rngOf(options);
  const tables = vkTables(params, vk);
  const g2t = g2Table(params);

  const rPrime = fr.randomScalar(rng);
  const r = fr.randomScalar(rng);
  const hPrime = b.g1Mul(signature.h, rPrime);
  const sPrime = b.g1Msm([signature.s, hPrime], [rPrime, r]);
  const betas = tables.betas.slice(0, k);
  const kappa = b.g2Add(vk.alpha, b.g2FixedMsm([g2t, ...betas], [r, ...privateAttributes]));
  const zeta = b.g2FixedMsm([g2t], [privateAttributes[0] as bigint]);
  const wr = fr.randomScalar(rng);
  const wm = privateAttributes.map(() => fr.randomScalar(rng));
  const commitmentKappa = b.g2FixedMsm([g2t, ...betas], [wr, ...wm]);
  const commitmentZeta = b.g2FixedMsm([g2t], [wm[0] as bigint]);
  const partial = { hPrime, sPrime, kappa, zeta, commitmentKappa, commitmentZeta };
  const c = piVChallenge(params, tables.digest, partial, k, publicAttributes, options.binding);
  return {
    ...partial,
    responseR: fr.sub(wr, fr.mul(c, r)),
    responsesM: wm.map((w, j) => fr.sub(w, fr.mul(c, privateAttributes[j] as bigint))),
  };
}

function checkTheta(params: Params, theta: Theta, name: string): void {
  if (typeof theta !== "object" || theta === null || !Array.isArray(theta.responsesM)) {
    throw new TypeError(`${name}: expected a Theta`);
  }
  checkG1(params, theta.hPrime, `${name}.hPrime`);
  checkG1(params, theta.sPrime, `${name}.sPrime`);
  for (const key of ["kappa", "zeta", "commitmentKappa", "commitmentZeta"] as const) {
    checkG2(params, theta[key], `${name}.${key}`);
  }
  fr.assertScalar(theta.responseR, `${name}.responseR`);
  checkScalars(theta.responsesM, `${name}.responsesM`);
}

/**
 * The Fiat-Shamir challenge of a shown credential as a verifier recomputes it (over the key digest, k, the public
 * attributes, the binding, h', s', κ, ζ, Aw and Cw). Exposed for audits and tests; verifyCredential uses it internally.
 */
export function credentialChallenge(
  params: Params,
  vk: VerificationKey,
  theta: Theta,
  publicAttributes: readonly bigint[],
  binding: Uint8Array,
): bigint {
  checkParams(params);
  checkVk(params, vk, "vk");
  checkTheta(params, theta, "theta");
  checkScalars(publicAttributes, "publicAttributes");
  assertBytes(binding, "binding");
  return piVChallenge(params, vkTables(params, vk).digest, theta, theta.responsesM.length, publicAttributes, binding);
}

interface Prepared {
  theta: Theta;
  k: number;
  c: bigint;
  publicAttributes: readonly bigint[];
}

/** Shape checks, identity checks and the challenge: everything but the group equations. Null = reject. */
function prepareVerify(
  params: Params,
  vk: VerificationKey,
  theta: Theta,
  publicAttributes: readonly bigint[],
  binding: Uint8Array,
  name: string,
): Prepared | null {
  checkTheta(params, theta, name);
  checkScalars(publicAttributes, `${name}: publicAttributes`);
  assertBytes(binding, `${name}: binding`);
  const k = theta.responsesM.length;
  const m = publicAttributes.length;
  if (m >= vk.betaG2.length) {
    throw new RangeError(`${name}: publicAttributes leaves no private attribute (the key has ${vk.betaG2.length})`);
  }
  // The verifier's public attributes fix the layout: every attribute of the key is hidden in κ or disclosed, so a
  // proof cannot move a disclosed value into another position (e.g. present its binding number as the value).
  if (k + m !== vk.betaG2.length) return null;
  const b = params.backend;
  if (b.g1IsIdentity(theta.hPrime) || b.g1IsIdentity(theta.sPrime)) return null;
  if (b.g2IsIdentity(theta.zeta) || b.g2IsIdentity(theta.kappa)) return null;
  const tables = vkTables(params, vk);
  const c = piVChallenge(params, tables.digest, theta, k, publicAttributes, binding);
  return { theta, k, c, publicAttributes };
}

/**
 * VerifyCred: checks π_v (Aw = [c](κ − α) + [r_r]g2 + Σ_j [r_j]β_j and Cw = [c]ζ + [r_1]g2 with c recomputed over
 * the binding) and e(h', κ + Σ_l [pub_l]β_{k+l}) = e(s', g2) as one multi-Miller loop with one final
 * exponentiation. Returns false for a well-formed proof that does not verify, including one whose number of hidden
 * attributes k differs from (attributes of the key) − (public attributes given by the verifier).
 */
export function verifyCredential(
  params: Params,
  vk: VerificationKey,
  theta: Theta,
  publicAttributes: readonly bigint[],
  binding: Uint8Array,
): boolean {
  checkParams(params);
  checkVk(params, vk, "vk");
  const p = prepareVerify(params, vk, theta, publicAttributes, binding, "theta");
  if (!p) return false;
  const b = params.backend;
  const tables = vkTables(params, vk);
  const g2t = g2Table(params);
  const { c, k } = p;
  const aw = b.g2Add(
    b.g2Mul(theta.kappa, c),
    b.g2FixedMsm(
      [tables.alpha, g2t, ...tables.betas.slice(0, k)],
      [fr.sub(0n, c), theta.responseR, ...theta.responsesM],
    ),
  );
  if (!b.g2Eq(aw, theta.commitmentKappa)) return false;
  const cw = b.g2Add(b.g2Mul(theta.zeta, c), b.g2FixedMsm([g2t], [theta.responsesM[0] as bigint]));
  if (!b.g2Eq(cw, theta.commitmentZeta)) return false;
  const m = publicAttributes.length;
  const kappaFull =
    m === 0 ? theta.kappa : b.g2Add(theta.kappa, b.g2FixedMsm(tables.betas.slice(k, k + m), publicAttributes));
  return b.pairingCheck([
    [theta.hPrime, kappaFull],
    [b.g1Neg(theta.sPrime), b.g2Generator()],
  ]);
}

export interface BatchOptions extends RngOption {
  /**
   * Length of the random weights. 128 (default): a batch containing an invalid credential passes with probability
   * about 2^-128. 64: about 2^-64 per attempt (the small-exponent test Ethereum consensus clients use for BLS batches),
   * with shorter scalars in the MSMs.
   */
  readonly weightBits?: 64 | 128;
}

export interface BatchItem {
  readonly theta: Theta;
  readonly publicAttributes: readonly bigint[];
  readonly binding: Uint8Array;
}

/**
 * Batch VerifyCred under one verification key: true iff every item would pass verifyCredential (except with
 * probability about 2^-128 over the verifier's randomness). With independent random 128-bit weights δ_i, ε_i, γ_i:
 *
 *   Σ_i [δ_i c_i]κ_i − [δ_i]Aw_i + [ε_i c_i]ζ_i − [ε_i]Cw_i
 *     + [−Σ δ_i c_i]α + [Σ δ_i r_r,i + ε_i r_1,i]g2 + Σ_j [Σ_i δ_i r_j,i]β_j  = 0        (one G2 MSM, fixed part once)
 *   Π_i e([γ_i]h'_i, κ_i) · Π_j e(Σ_(i,l: k_i+l=j) [γ_i pub_il]h'_i, β_j) · e(−Σ [γ_i]s'_i, g2) = 1   (one final exp)
 *
 * The per-credential cost is four G2 points in one shared MSM (two full-length and two 128-bit scalars; on blst
 * twelve 64-bit GLS digits), one Miller loop in a shared multi-Miller loop and a short G1 multiplication (all of
 * them in one call); the fixed-base work and the final exponentiation are paid once per batch. Every point is
 * assumed in its prime-order subgroup, as the decoders guarantee: the weights' soundness argument needs it.
 */
export function verifyCredentialBatch(
  params: Params,
  vk: VerificationKey,
  items: readonly BatchItem[],
  options?: BatchOptions,
): boolean {
  checkParams(params);
  checkVk(params, vk, "vk");
  if (!Array.isArray(items)) throw new TypeError("items: expected an array");
  const weightBits = options?.weightBits ?? BATCH_WEIGHT_BITS;
  if (weightBits !== 64 && weightBits !== 128) throw new RangeError("options.weightBits: must be 64 or 128");
  if (items.length === 0) return true;
  const rng = rngOf(options);
  const prepared: Prepared[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as BatchItem;
    if (typeof it !== "object" || it === null) throw new TypeError(`items[${i}]: expected a BatchItem`);
    const p = prepareVerify(params, vk, it.theta, it.publicAttributes, it.binding, `items[${i}].theta`);
    if (!p) return false;
    prepared.push(p);
  }
  const b = params.backend;
  const tables = vkTables(params, vk);
  const g2t = g2Table(params);
  const q = vk.betaG2.length;

  const longPoints: G2[] = [];
  const longScalars: bigint[] = [];
  const shortPoints: G2[] = [];
  const shortScalars: bigint[] = [];
  let alphaScalar = 0n;
  let g2Scalar = 0n;
  const betaScalars: bigint[] = new Array<bigint>(q).fill(0n);
  const gammas: bigint[] = [];
  // per β index j: the items i and the scalars pub_il whose Σ [pub_il]([γ_i]h'_i) pairs with β_j
  const pubItems: number[][] = Array.from({ length: q }, () => []);
  const pubScalars: bigint[][] = Array.from({ length: q }, () => []);

  prepared.forEach((p, i) => {
    const t = p.theta;
    const delta = fr.randomShortScalar(rng, weightBits);
    const eps = fr.randomShortScalar(rng, weightBits);
    const gamma = fr.randomShortScalar(rng, weightBits);
    longPoints.push(t.kappa, t.zeta);
    longScalars.push(fr.mul(delta, p.c), fr.mul(eps, p.c));
    // negate the points, not the weights, so these scalars stay 128 bits long (MSM cost grows with scalar length)
    shortPoints.push(b.g2Neg(t.commitmentKappa), b.g2Neg(t.commitmentZeta));
    shortScalars.push(delta, eps);
    alphaScalar = fr.sub(alphaScalar, fr.mul(delta, p.c));
    g2Scalar = fr.add(g2Scalar, fr.add(fr.mul(delta, t.responseR), fr.mul(eps, t.responsesM[0] as bigint)));
    t.responsesM.forEach((rm, j) => {
      betaScalars[j] = fr.add(betaScalars[j] as bigint, fr.mul(delta, rm));
    });
    gammas.push(gamma);
    p.publicAttributes.forEach((pub, l) => {
      (pubItems[p.k + l] as number[]).push(i);
      (pubScalars[p.k + l] as bigint[]).push(pub);
    });
  });
  // [γ_i]h'_i in one call; the public attributes then multiply these (short scalars, not γ_i·pub_il mod r)
  const gammaH = b.g1MulMany(
    prepared.map((p) => p.theta.hPrime),
    gammas,
  );

  // one MSM over both lists: on blst its pippenger then runs once over all the 64-bit GLS digits
  const schnorr = b.g2Add(
    b.g2Msm([...longPoints, ...shortPoints], [...longScalars, ...shortScalars]),
    b.g2FixedMsm([tables.alpha, g2t, ...tables.betas], [alphaScalar, g2Scalar, ...betaScalars]),
  );
  if (!b.g2IsIdentity(schnorr)) return false;

  const pairs: [G1, G2][] = prepared.map((p, i) => [gammaH[i] as G1, p.theta.kappa]);
  pubItems.forEach((items, j) => {
    if (items.length === 0) return;
    const points = items.map((i) => gammaH[i] as G1);
    pairs.push([b.g1Msm(points, pubScalars[j] as bigint[]), vk.betaG2[j] as G2]);
  });
  const sSum = b.g1Msm(
    prepared.map((p) => p.theta.sPrime),
    gammas,
  );
  pairs.push([b.g1Neg(sSum), b.g2Generator()]);
  return b.pairingCheck(pairs);
}
