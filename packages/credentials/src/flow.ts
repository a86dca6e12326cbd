import { bytesToHex, hexToBytes } from "@nym-ts/chain-client";
import {
  aggregateSignatures,
  type BlindSignRequest,
  decodeBlindedSignature,
  decodeBlindSignRequest,
  decodeTheta,
  encodeBlindSignRequest,
  encodeTheta,
  type IndexedSignature,
  type Params,
  prepareBlindSign,
  proveCredential,
  type Rng,
  randomAttribute,
  type Signature,
  type Theta,
  unblindSignature,
  type VerificationKey,
  verifyCredential,
  verifyPartialBlindSignature,
  verifySignature,
  zetaBytes,
} from "@nym-ts/coconut";
import { CredentialError } from "./errors.js";
import { encodePublicAttribute, spBinding, valueAttribute } from "./scheme.js";

/** The client's secrets behind one credential: never leave the client's machine. */
export interface CredentialSecrets {
  serial: bigint;
  binding: bigint;
}

/** A prepared credential request: the tx fields to post, and the secrets needed to unblind what issuers return. */
export interface PreparedRequest {
  secrets: CredentialSecrets;
  openings: readonly bigint[];
  request: BlindSignRequest;
  /** The `credential_request` tx fields (value as a decimal string, hex encodings). */
  tx: { value: bigint; blindSignRequest: string; publicAttributes: string[] };
}

const hex = (b: Uint8Array): string => `0x${bytesToHex(b)}`;

/** Picks fresh serial and binding numbers and builds the blind-sign request for a credential of `value`. */
export function prepareCredentialRequest(params: Params, value: bigint, rng?: Rng): PreparedRequest {
  const v = valueAttribute(value);
  const secrets = { serial: randomAttribute(rng), binding: randomAttribute(rng) };
  const { request, openings } = prepareBlindSign(params, [secrets.serial, secrets.binding], [v], rng ? { rng } : {});
  return {
    secrets,
    openings,
    request,
    tx: {
      value,
      blindSignRequest: hex(encodeBlindSignRequest(params, request)),
      publicAttributes: [encodePublicAttribute(v)],
    },
  };
}

/** Decodes a request's blind-sign request from its tx hex; throws CredentialError when malformed. */
export function decodeRequest(params: Params, blindSignRequestHex: string): BlindSignRequest {
  try {
    return decodeBlindSignRequest(params, hexToBytes(blindSignRequestHex, "blindSignRequest"));
  } catch (error) {
    throw new CredentialError("CREDENTIAL_ERROR_BAD_ATTRIBUTE", "blind-sign request does not decode", { cause: error });
  }
}

/**
 * Checks one issuer's blinded signature against the request and that issuer's key share, then unblinds it. Throws
 * CredentialError (CREDENTIAL_ERROR_BAD_PARTIAL) for a partial that does not decode or does not verify: a wrong
 * key, a wrong request or a tampered signature.
 */
export function unblindPartial(
  params: Params,
  prepared: Pick<PreparedRequest, "request" | "openings" | "tx">,
  blindedSignatureHex: string,
  issuerKey: VerificationKey,
): Signature {
  let ok = false;
  let blinded: ReturnType<typeof decodeBlindedSignature> | undefined;
  const publicAttributes = [valueAttribute(prepared.tx.value)];
  try {
    blinded = decodeBlindedSignature(params, hexToBytes(blindedSignatureHex, "blindedSignature"));
    ok = verifyPartialBlindSignature(params, prepared.request, publicAttributes, blinded, issuerKey);
  } catch (error) {
    throw new CredentialError("CREDENTIAL_ERROR_BAD_PARTIAL", "partial credential does not decode", { cause: error });
  }
  if (!ok || !blinded) {
    throw new CredentialError(
      "CREDENTIAL_ERROR_BAD_PARTIAL",
      "partial credential does not verify under the issuer key",
    );
  }
  return unblindSignature(params, blinded, prepared.openings, issuerKey);
}

/** Aggregates at least t unblinded partials and checks the result under the aggregated key. */
export function aggregateCredential(
  params: Params,
  partials: readonly IndexedSignature[],
  vk: VerificationKey,
  secrets: CredentialSecrets,
  value: bigint,
): Signature {
  const signature = aggregateSignatures(params, partials);
  if (!verifySignature(params, vk, signature, [secrets.serial, secrets.binding, valueAttribute(value)])) {
    throw new CredentialError("CREDENTIAL_ERROR_BAD_PARTIAL", "the aggregated credential does not verify");
  }
  return signature;
}

/** A spend ready to send: Θ bound to the SP, the value it discloses, and the ζ the chain will record. */
export interface Spend {
  theta: string;
  value: string;
  zeta: string;
}

/** Re-randomizes the credential and proves it to the SP at `spAddress` (bound: useless at any other SP). */
export function proveSpend(
  params: Params,
  vk: VerificationKey,
  signature: Signature,
  secrets: CredentialSecrets,
  value: bigint,
  spAddress: string,
  rng?: Rng,
): Spend {
  const theta = proveCredential(params, vk, signature, [secrets.serial, secrets.binding], {
    binding: spBinding(spAddress),
    publicAttributes: [valueAttribute(value)],
    ...(rng ? { rng } : {}),
  });
  return { theta: hex(encodeTheta(params, theta)), value: value.toString(), zeta: hex(zetaBytes(params, theta)) };
}

/** What checking a spend found: a proof that does not decode, one that does not verify, or a valid one with ζ. */
export type SpendCheck =
  | { ok: true; theta: Theta; zeta: string }
  | { ok: false; reason: "malformed" | "invalid"; detail: string; zeta?: string };

/** Decodes Θ (every point checked) for checkSpend and batch verification; undefined when it does not decode. */
export function decodeSpendTheta(params: Params, thetaHex: string): Theta | undefined {
  try {
    return decodeTheta(params, hexToBytes(thetaHex, "theta"));
  } catch {
    return undefined;
  }
}

/**
 * Verifies a spend as an SP or a verifier does: Θ decodes (every point checked), the proof verifies under the
 * aggregated key with the disclosed value as its public attribute and `spAddress` as the binding.
 */
export function checkSpend(
  params: Params,
  vk: VerificationKey,
  thetaHex: string,
  value: bigint | string,
  spAddress: string,
): SpendCheck {
  const theta = decodeSpendTheta(params, thetaHex);
  if (!theta) return { ok: false, reason: "malformed", detail: "the proof does not decode" };
  const zeta = hex(zetaBytes(params, theta));
  let v: bigint;
  try {
    v = valueAttribute(BigInt(value));
  } catch {
    return { ok: false, reason: "malformed", detail: "value is not a positive scalar", zeta };
  }
  const valid = verifyCredential(params, vk, theta, [v], spBinding(spAddress));
  return valid
    ? { ok: true, theta, zeta }
    : { ok: false, reason: "invalid", detail: "the proof does not verify", zeta };
}
