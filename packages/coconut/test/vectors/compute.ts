import {
  aggregateSignatures,
  aggregateVerificationKeys,
  blindSign,
  credentialChallenge,
  encodeBlindedSignature,
  encodeBlindSignRequest,
  encodeSecretKey,
  encodeSignature,
  encodeTheta,
  encodeVerificationKey,
  hashToScalar,
  type Params,
  prepareBlindSign,
  proveCredential,
  sign,
  toHex,
  ttpKeygen,
  unblindSignature,
  verifyCredential,
  zetaBytes,
} from "../../src/index.js";
import { enc, seededRng, vkShares } from "../helpers.js";

export const VECTOR_SEED = "nym-ts coconut golden vectors v1";

/** Runs the whole protocol from a fixed seed and returns every output as hex (the golden vector). */
export function computeVectors(params: Params): Record<string, unknown> {
  const rng = seededRng(VECTOR_SEED);
  const b = params.backend;
  const shares = ttpKeygen(params, 2, 3, { rng });
  const signers = shares.slice(1);
  const vk = aggregateVerificationKeys(params, vkShares(signers));
  const privateAttributes = [hashToScalar(enc("serial number")), hashToScalar(enc("binding number"))];
  const publicAttributes = [42n];
  const { request, openings } = prepareBlindSign(params, privateAttributes, publicAttributes, { rng });
  const blinded = signers.map((s) => blindSign(params, s.secretKey, request, publicAttributes));
  const partials = signers.map((s, i) => ({
    index: s.index,
    signature: unblindSignature(params, blinded[i] as (typeof blinded)[0], openings, s.verificationKey),
  }));
  const signature = aggregateSignatures(params, partials);
  const binding = enc("sp-address-0001");
  const theta = proveCredential(params, vk, signature, privateAttributes, { binding, publicAttributes, rng });
  if (!verifyCredential(params, vk, theta, publicAttributes, binding)) throw new Error("vector credential invalid");
  const publicSig = sign(params, (shares[0] as (typeof shares)[0]).secretKey, [1n, 2n, 3n]);
  return {
    seed: VECTOR_SEED,
    q: params.q,
    hs: params.hs.map((h) => toHex(b.g1ToBytes(h))),
    secretKeys: shares.map((s) => toHex(encodeSecretKey(s.secretKey))),
    verificationKeys: shares.map((s) => toHex(encodeVerificationKey(params, s.verificationKey))),
    aggregatedVerificationKey: toHex(encodeVerificationKey(params, vk)),
    privateAttributes: privateAttributes.map((x) => x.toString(16)),
    publicAttributes: publicAttributes.map((x) => x.toString(16)),
    request: toHex(encodeBlindSignRequest(params, request)),
    openings: openings.map((x) => x.toString(16)),
    blindedSignatures: blinded.map((s) => toHex(encodeBlindedSignature(params, s))),
    partialSignatures: partials.map((p) => toHex(encodeSignature(params, p.signature))),
    signature: toHex(encodeSignature(params, signature)),
    binding: toHex(binding),
    theta: toHex(encodeTheta(params, theta)),
    zeta: toHex(zetaBytes(params, theta)),
    challenge: credentialChallenge(params, vk, theta, publicAttributes, binding).toString(16),
    publicOnlySignature: toHex(encodeSignature(params, publicSig)),
  };
}
