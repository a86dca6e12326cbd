/**
 * Strict, versioned byte encodings. Every object starts with two bytes: the format version (1) and a type tag. Points
 * are ZCash/IETF compressed (G1 48 B, G2 96 B), scalars 32 B big-endian and canonical (< r), counts one byte, issuer
 * indices two bytes. Decoders reject a wrong version or tag, truncation, trailing bytes, non-canonical scalars, points
 * off the curve or outside the prime-order subgroup, and the identity wherever the scheme forbids it (which is
 * everywhere in these objects).
 *
 * | object             | tag  | layout after the 2-byte header                                       | size          |
 * |--------------------|------|----------------------------------------------------------------------|---------------|
 * | Params             | 0x01 | u8 q                                                                 | 3             |
 * | SecretKey          | 0x02 | u16 index, u8 q, x, y_1..y_q                                         | 37 + 32q      |
 * | VerificationKey    | 0x03 | u8 q, α (G2), β_g1_1..q (G1), β_g2_1..q (G2)                         | 99 + 144q     |
 * | BlindSignRequest   | 0x04 | u8 k, cm, c_1..c_k (G1), challenge (16 B), r_r, r_o_1..k, r_m_1..k    | 99 + 112k     |
 * | BlindedSignature   | 0x05 | h, c̃ (G1)                                                            | 98            |
 * | Signature          | 0x06 | h, s (G1)                                                            | 98            |
 * | Theta              | 0x07 | u8 k, h', s' (G1), κ, ζ, Aw, Cw (G2), r_r, r_m_1..k                  | 515 + 32k     |
 */
import type { Backend, G1, G2 } from "./backend/types.js";
import { assertBytes, Reader, Writer } from "./bytes.js";
import { bytesToBigInt, R } from "./fr.js";
import {
  type BlindedSignature,
  type BlindSignRequest,
  CHALLENGE_BYTES,
  MAX_ATTRIBUTES,
  MAX_ISSUERS,
  type Params,
  type SecretKey,
  type Signature,
  setup,
  type Theta,
  type VerificationKey,
} from "./scheme.js";

export const ENCODING_VERSION = 1;

export const TypeTag = {
  Params: 0x01,
  SecretKey: 0x02,
  VerificationKey: 0x03,
  BlindSignRequest: 0x04,
  BlindedSignature: 0x05,
  Signature: 0x06,
  Theta: 0x07,
} as const;

function header(tag: number): Writer {
  return new Writer().u8(ENCODING_VERSION).u8(tag);
}

function open(bytes: unknown, tag: number, name: string): Reader {
  assertBytes(bytes, name);
  const r = new Reader(bytes, name);
  const version = r.u8("version");
  if (version !== ENCODING_VERSION) throw new RangeError(`${name}: unsupported version ${version}`);
  const t = r.u8("type tag");
  if (t !== tag) throw new RangeError(`${name}: wrong type tag 0x${t.toString(16)} (expected 0x${tag.toString(16)})`);
  return r;
}

function g1(params: Params, r: Reader, name: string, what: string): G1 {
  const b = params.backend;
  let p: G1;
  try {
    p = b.g1FromBytes(r.take(48, what));
  } catch (e) {
    throw new RangeError(`${name}: ${what}: ${(e as Error).message}`);
  }
  if (b.g1IsIdentity(p)) throw new RangeError(`${name}: ${what} is the identity`);
  return p;
}

function g2(params: Params, r: Reader, name: string, what: string): G2 {
  const b = params.backend;
  let p: G2;
  try {
    p = b.g2FromBytes(r.take(96, what));
  } catch (e) {
    throw new RangeError(`${name}: ${what}: ${(e as Error).message}`);
  }
  if (b.g2IsIdentity(p)) throw new RangeError(`${name}: ${what} is the identity`);
  return p;
}

function count(r: Reader, what: string, min: number, max: number, name: string): number {
  const n = r.u8(what);
  if (n < min || n > max) throw new RangeError(`${name}: ${what} ${n} outside [${min}, ${max}]`);
  return n;
}

// --- Params

export function encodeParams(params: Params): Uint8Array {
  return header(TypeTag.Params).u8(params.q).finish();
}

export function decodeParams(bytes: Uint8Array, options?: { backend?: Backend }): Params {
  const r = open(bytes, TypeTag.Params, "params");
  const q = count(r, "q", 1, MAX_ATTRIBUTES, "params");
  r.end();
  return setup(q, options);
}

// --- SecretKey

export function encodeSecretKey(sk: SecretKey): Uint8Array {
  const w = header(TypeTag.SecretKey).u16(sk.index).u8(sk.y.length).scalar(sk.x);
  for (const y of sk.y) w.scalar(y);
  return w.finish();
}

export function decodeSecretKey(params: Params, bytes: Uint8Array): SecretKey {
  const name = "secretKey";
  const r = open(bytes, TypeTag.SecretKey, name);
  const index = r.u16("index");
  if (index < 1 || index > MAX_ISSUERS) throw new RangeError(`${name}: index must be nonzero`);
  const q = count(r, "q", 1, params.q, name);
  const x = r.scalar("x");
  const y = Array.from({ length: q }, (_, j) => r.scalar(`y[${j}]`));
  r.end();
  return { index, x, y };
}

// --- VerificationKey

export function encodeVerificationKey(params: Params, vk: VerificationKey): Uint8Array {
  const b = params.backend;
  const w = header(TypeTag.VerificationKey).u8(vk.betaG2.length).bytes(b.g2ToBytes(vk.alpha));
  for (const p of vk.betaG1) w.bytes(b.g1ToBytes(p));
  for (const p of vk.betaG2) w.bytes(b.g2ToBytes(p));
  return w.finish();
}

export function decodeVerificationKey(params: Params, bytes: Uint8Array): VerificationKey {
  const name = "verificationKey";
  const r = open(bytes, TypeTag.VerificationKey, name);
  const q = count(r, "q", 1, params.q, name);
  const alpha = g2(params, r, name, "alpha");
  const betaG1 = Array.from({ length: q }, (_, j) => g1(params, r, name, `betaG1[${j}]`));
  const betaG2 = Array.from({ length: q }, (_, j) => g2(params, r, name, `betaG2[${j}]`));
  r.end();
  return { alpha, betaG1, betaG2 };
}

// --- BlindSignRequest

export function encodeBlindSignRequest(params: Params, request: BlindSignRequest): Uint8Array {
  const b = params.backend;
  const k = request.attributeCommitments.length;
  const w = header(TypeTag.BlindSignRequest).u8(k).bytes(b.g1ToBytes(request.commitment));
  for (const c of request.attributeCommitments) w.bytes(b.g1ToBytes(c));
  const ch = new Uint8Array(CHALLENGE_BYTES);
  let c = request.challenge;
  if (c < 0n || c >= 1n << BigInt(8 * CHALLENGE_BYTES)) throw new RangeError("request.challenge: out of range");
  for (let i = CHALLENGE_BYTES - 1; i >= 0; i--) {
    ch[i] = Number(c & 0xffn);
    c >>= 8n;
  }
  w.bytes(ch).scalar(request.responseR);
  for (const x of request.responsesO) w.scalar(x);
  for (const x of request.responsesM) w.scalar(x);
  return w.finish();
}

export function decodeBlindSignRequest(params: Params, bytes: Uint8Array): BlindSignRequest {
  const name = "blindSignRequest";
  const r = open(bytes, TypeTag.BlindSignRequest, name);
  const k = count(r, "k", 1, params.q, name);
  const commitment = g1(params, r, name, "commitment");
  const attributeCommitments = Array.from({ length: k }, (_, j) => g1(params, r, name, `attributeCommitments[${j}]`));
  const challenge = bytesToBigInt(r.take(CHALLENGE_BYTES, "challenge"));
  if (challenge >= R) throw new RangeError(`${name}: challenge out of range`);
  const responseR = r.scalar("responseR");
  const responsesO = Array.from({ length: k }, (_, j) => r.scalar(`responsesO[${j}]`));
  const responsesM = Array.from({ length: k }, (_, j) => r.scalar(`responsesM[${j}]`));
  r.end();
  return { commitment, attributeCommitments, challenge, responseR, responsesO, responsesM };
}

// --- BlindedSignature and Signature

export function encodeBlindedSignature(params: Params, sig: BlindedSignature): Uint8Array {
  const b = params.backend;
  return header(TypeTag.BlindedSignature).bytes(b.g1ToBytes(sig.h)).bytes(b.g1ToBytes(sig.c)).finish();
}

export function decodeBlindedSignature(params: Params, bytes: Uint8Array): BlindedSignature {
  const name = "blindedSignature";
  const r = open(bytes, TypeTag.BlindedSignature, name);
  const h = g1(params, r, name, "h");
  const c = g1(params, r, name, "c");
  r.end();
  return { h, c };
}

export function encodeSignature(params: Params, sig: Signature): Uint8Array {
  const b = params.backend;
  return header(TypeTag.Signature).bytes(b.g1ToBytes(sig.h)).bytes(b.g1ToBytes(sig.s)).finish();
}

export function decodeSignature(params: Params, bytes: Uint8Array): Signature {
  const name = "signature";
  const r = open(bytes, TypeTag.Signature, name);
  const h = g1(params, r, name, "h");
  const s = g1(params, r, name, "s");
  r.end();
  return { h, s };
}

// --- Theta

export function encodeTheta(params: Params, theta: Theta): Uint8Array {
  const b = params.backend;
  const w = header(TypeTag.Theta).u8(theta.responsesM.length);
  w.bytes(b.g1ToBytes(theta.hPrime)).bytes(b.g1ToBytes(theta.sPrime));
  w.bytes(b.g2ToBytes(theta.kappa)).bytes(b.g2ToBytes(theta.zeta));
  w.bytes(b.g2ToBytes(theta.commitmentKappa)).bytes(b.g2ToBytes(theta.commitmentZeta));
  w.scalar(theta.responseR);
  for (const x of theta.responsesM) w.scalar(x);
  return w.finish();
}

export function decodeTheta(params: Params, bytes: Uint8Array): Theta {
  const [theta] = decodeThetas(params, [bytes]);
  if (theta instanceof Error) throw theta;
  return theta as Theta;
}

const THETA_G1 = ["hPrime", "sPrime"] as const;
const THETA_G2 = ["kappa", "zeta", "commitmentKappa", "commitmentZeta"] as const;

/** One Θ read up to its points: the six encodings, the scalars, and the first error outside the points. */
interface ThetaFrame {
  g1: Uint8Array[];
  g2: Uint8Array[];
  responseR?: bigint;
  responsesM?: bigint[];
  /** The first error of the framing (header, k, truncation, a scalar, trailing bytes), if any. */
  error?: Error;
}

function frameTheta(params: Params, bytes: Uint8Array): ThetaFrame {
  const name = "theta";
  const frame: ThetaFrame = { g1: [], g2: [] };
  try {
    const r = open(bytes, TypeTag.Theta, name);
    const k = count(r, "k", 1, params.q, name);
    for (const what of THETA_G1) frame.g1.push(r.take(48, what));
    for (const what of THETA_G2) frame.g2.push(r.take(96, what));
    const responseR = r.scalar("responseR");
    const responsesM = Array.from({ length: k }, (_, j) => r.scalar(`responsesM[${j}]`));
    r.end();
    frame.responseR = responseR;
    frame.responsesM = responsesM;
  } catch (e) {
    frame.error = e as Error;
  }
  return frame;
}

/**
 * Decodes many encoded Θ at once, with exactly the checks of decodeTheta (every point on the curve, in the
 * prime-order subgroup, canonical, not the identity). All their points go to the backend in one `decodeMany` call
 * (one N-API crossing on blst instead of six per Θ). Each entry is the Theta or the error decodeTheta would have
 * thrown for it (the first problem in byte order): one malformed Θ costs the others nothing. Never throws.
 */
export function decodeThetas(params: Params, list: readonly Uint8Array[]): (Theta | Error)[] {
  const name = "theta";
  const frames = list.map((bytes) => frameTheta(params, bytes));
  const decoded = params.backend.decodeMany(
    frames.flatMap((f) => f.g1),
    frames.flatMap((f) => f.g2),
  );
  let at1 = 0;
  let at2 = 0;
  return frames.map((f): Theta | Error => {
    const g1 = decoded.g1.slice(at1, at1 + f.g1.length);
    const g2 = decoded.g2.slice(at2, at2 + f.g2.length);
    at1 += f.g1.length;
    at2 += f.g2.length;
    // points come before the scalars: the first bad point (in order) is the error, then the framing's
    const points = [...g1, ...g2];
    const whats = [...THETA_G1, ...THETA_G2];
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      const what = whats[i] as string;
      if (p instanceof Error) return new RangeError(`${name}: ${what}: ${p.message}`);
      const identity =
        i < THETA_G1.length ? params.backend.g1IsIdentity(p as G1) : params.backend.g2IsIdentity(p as G2);
      if (identity) return new RangeError(`${name}: ${what} is the identity`);
    }
    if (f.error) return f.error;
    const [hPrime, sPrime] = g1 as G1[];
    const [kappa, zeta, commitmentKappa, commitmentZeta] = g2 as G2[];
    return {
      hPrime: hPrime as G1,
      sPrime: sPrime as G1,
      kappa: kappa as G2,
      zeta: zeta as G2,
      commitmentKappa: commitmentKappa as G2,
      commitmentZeta: commitmentZeta as G2,
      responseR: f.responseR as bigint,
      responsesM: f.responsesM as bigint[],
    };
  });
}

/** The zeta bytes (96 B) straight from an encoded Θ, after full validation of the encoding. */
export function zetaBytesFromTheta(params: Params, bytes: Uint8Array): Uint8Array {
  return params.backend.g2ToBytes(decodeTheta(params, bytes).zeta);
}
