import { bytesToHex } from "@nym-ts/chain-client";
import {
  type BatchItem,
  decodeThetas,
  type Params,
  type Rng,
  type Theta,
  type VerificationKey,
  verifyCredential,
  verifyCredentialBatch,
  zetaBytes,
} from "@nym-ts/coconut";
import { spBinding, valueAttribute } from "@nym-ts/credentials";

/** What a verifier checks of one deposit, as the chain's `/zeta` query shows it. */
export interface DepositProof {
  /** The deposited zeta, 0x and 96 bytes of hex. */
  zeta: string;
  /** The depositor's address: the binding the proof must carry. */
  sp: string;
  /** The deposited value (decimal): the public attribute the proof must disclose. */
  value: string;
  /** The encoded Θ, 0x-prefixed hex. */
  proof: string;
}

/** Why a deposit is voted invalid (the `reason` label of the metrics and of GET /v1/votes). */
export const INVALID_REASONS = [
  /** Θ does not decode: truncated, trailing bytes, a point off the curve or outside the subgroup, the identity. */
  "malformed_proof",
  /** Θ decodes but reveals another ζ than the zeta deposited. */
  "zeta_mismatch",
  /** The deposited value is not a positive integer below the group order. */
  "bad_value",
  /** The recorded SP is not an address (cannot be a binding). */
  "bad_sp",
  /** A well-formed proof that does not verify: another SP's binding, another value, a forged or tampered proof. */
  "does_not_verify",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export type Verdict = { valid: true } | { valid: false; reason: InvalidReason };

export interface CheckOptions {
  /** Verify the well-formed proofs together with `verifyCredentialBatch` (default true). */
  batch?: boolean;
  /** Randomness of the batch weights (tests); the coconut default otherwise. */
  rng?: Rng;
}

export interface CheckReport {
  /** One verdict per deposit, in order. */
  verdicts: Verdict[];
  /** How many well-formed proofs reached the pairing check. */
  checked: number;
  /** Whether they were checked as one batch first. */
  batched: boolean;
  /** The batch failed, so each was checked alone to find the bad ones. */
  fellBack: boolean;
}

/**
 * The verifier's verdict on deposits: each Θ must decode (every point on the curve, in the prime-order subgroup,
 * canonical), reveal exactly the deposited ζ, and verify under the aggregated key with binding = the depositing SP's
 * address and public attribute = the deposited value. All the Θ are decoded together (`decodeThetas`: one call into
 * the backend for all their points, whether or not the verification is batched). The well-formed proofs are verified
 * together with one batch verification (about 0.3 of a VerifyCred each at N = 100); only when the batch fails is each
 * verified alone, to find the bad ones. Pure: no I/O, never throws for malformed input (a proof that makes the
 * library throw is voted `malformed_proof`).
 */
export function checkDeposits(
  params: Params,
  vk: VerificationKey,
  deposits: readonly DepositProof[],
  options: CheckOptions = {},
): CheckReport {
  const verdicts: (Verdict | undefined)[] = new Array(deposits.length);
  const items: BatchItem[] = [];
  const positions: number[] = [];
  const thetas = decodeAll(params, deposits);
  deposits.forEach((deposit, i) => {
    const prepared = prepare(params, deposit, thetas[i]);
    if ("reason" in prepared) verdicts[i] = { valid: false, reason: prepared.reason };
    else {
      items.push(prepared.item);
      positions.push(i);
    }
  });
  const batched = (options.batch ?? true) && items.length >= 2;
  let fellBack = false;
  if (batched && batchVerifies(params, vk, items, options.rng)) {
    for (const i of positions) verdicts[i] = { valid: true };
  } else {
    fellBack = batched;
    items.forEach((item, j) => {
      verdicts[positions[j] as number] = verifiesAlone(params, vk, item);
    });
  }
  return { verdicts: verdicts as Verdict[], checked: items.length, batched, fellBack };
}

/**
 * The bytes of 0x-prefixed (or bare) hex, undefined if it is not hex. Buffer's decoder stops at the first pair that
 * is not hex, so the length check is the validation (no regular expression over a 1 KB proof).
 */
function hexBytes(hex: unknown): Uint8Array | undefined {
  if (typeof hex !== "string") return undefined;
  const body = hex.startsWith("0x") ? hex.slice(2) : hex;
  const bytes = Buffer.from(body, "hex");
  return bytes.length * 2 === body.length ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) : undefined;
}

/** Each deposit's Θ, or undefined where the proof is not hex or does not decode. */
function decodeAll(params: Params, deposits: readonly DepositProof[]): (Theta | undefined)[] {
  const encoded = deposits.map((deposit) => hexBytes(deposit.proof));
  const present = encoded.flatMap((bytes, i) => (bytes ? [i] : []));
  const thetas: (Theta | undefined)[] = new Array(deposits.length);
  let decoded: (Theta | Error)[];
  try {
    decoded = decodeThetas(
      params,
      present.map((i) => encoded[i] as Uint8Array),
    );
  } catch {
    return thetas; // the backend refused the whole call: every proof is malformed_proof
  }
  present.forEach((i, j) => {
    const theta = decoded[j];
    if (theta !== undefined && !(theta instanceof Error)) thetas[i] = theta;
  });
  return thetas;
}

function prepare(
  params: Params,
  deposit: DepositProof,
  theta: Theta | undefined,
): { item: BatchItem } | { reason: InvalidReason } {
  if (!theta) return { reason: "malformed_proof" };
  let revealed: string;
  try {
    revealed = `0x${bytesToHex(zetaBytes(params, theta))}`;
  } catch {
    return { reason: "malformed_proof" };
  }
  if (typeof deposit.zeta !== "string" || revealed !== deposit.zeta.toLowerCase()) return { reason: "zeta_mismatch" };
  let value: bigint;
  try {
    if (typeof deposit.value !== "string" || !/^[1-9][0-9]{0,77}$/.test(deposit.value)) throw new RangeError("value");
    value = valueAttribute(BigInt(deposit.value));
  } catch {
    return { reason: "bad_value" };
  }
  let binding: Uint8Array;
  try {
    binding = spBinding(deposit.sp);
  } catch {
    return { reason: "bad_sp" };
  }
  return { item: { theta, publicAttributes: [value], binding } };
}

function batchVerifies(
  params: Params,
  vk: VerificationKey,
  items: readonly BatchItem[],
  rng: Rng | undefined,
): boolean {
  try {
    return verifyCredentialBatch(params, vk, items, rng ? { rng } : undefined);
  } catch {
    // A proof the library refuses outright: the one-by-one pass finds it.
    return false;
  }
}

function verifiesAlone(params: Params, vk: VerificationKey, item: BatchItem): Verdict {
  try {
    return verifyCredential(params, vk, item.theta, item.publicAttributes, item.binding)
      ? { valid: true }
      : { valid: false, reason: "does_not_verify" };
  } catch {
    return { valid: false, reason: "malformed_proof" };
  }
}
