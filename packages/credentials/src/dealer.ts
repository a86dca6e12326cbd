import { bytesToHex } from "@nym-ts/chain-client";
import { encodeSecretKey, encodeVerificationKey, type Params, type RngOption, ttpKeygen } from "@nym-ts/coconut";
import { ATTRIBUTE_COUNT } from "./scheme.js";

/** One issuer's share from a trusted dealer: the secret for its 0600 key file and the public part for genesis. */
export interface DealtIssuerKey {
  /** The share index (1-based): the issuer's `index` in genesis and in its partial credentials. */
  index: number;
  /** `encodeSecretKey` of the share: the bytes of the issuer's Coconut key file (write them with `writeKeyFile`). */
  secretKey: Uint8Array;
  /** `encodeVerificationKey` of the share as 0x-prefixed lower-case hex: the genesis member's `verificationKey`. */
  verificationKey: string;
}

/**
 * A trusted dealer's t-of-n Coconut key shares for the credential attributes (`credentialParams()`), encoded for the
 * issuers' key files and the chain's genesis. Whoever runs it sees every share: the localnet and tests use it; a
 * real deployment runs it once on an offline machine and ships each share to its issuer only.
 */
export function dealIssuerKeys(
  params: Params,
  threshold: number,
  issuers: number,
  options?: RngOption,
): { threshold: number; keys: DealtIssuerKey[] } {
  if (params.q !== ATTRIBUTE_COUNT) {
    throw new RangeError(`params: credential keys need q = ${ATTRIBUTE_COUNT} attributes, got ${params.q}`);
  }
  const shares = ttpKeygen(params, threshold, issuers, options);
  return {
    threshold,
    keys: shares.map((share) => ({
      index: share.index,
      secretKey: encodeSecretKey(share.secretKey),
      verificationKey: `0x${bytesToHex(encodeVerificationKey(params, share.verificationKey))}`,
    })),
  };
}
