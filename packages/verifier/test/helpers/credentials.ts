import { type AppState, addressFromSecretKey, bytesToHex, randomSecretKey } from "@nym-ts/chain-client";
import {
  blindSign,
  encodeBlindedSignature,
  encodeVerificationKey,
  type KeyShare,
  type Params,
  ttpKeygen,
  type VerificationKey,
} from "@nym-ts/coconut";
import {
  aggregateCredential,
  aggregatedVerificationKey,
  credentialParams,
  decodeRequest,
  issuerKeys,
  prepareCredentialRequest,
  proveSpend,
  type Spend,
  unblindPartial,
} from "@nym-ts/credentials";

const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;

/** A trusted dealer's t-of-n issuer keys, as genesis lists them, and what it takes to issue real credentials. */
export interface CredentialKit {
  params: Params;
  shares: KeyShare[];
  /** The genesis `issuers` section. */
  issuers: AppState["issuers"];
  vk: VerificationKey;
}

export async function credentialKit(threshold = 2, n = 3): Promise<CredentialKit> {
  const params = await credentialParams();
  const shares = ttpKeygen(params, threshold, n);
  const issuers: AppState["issuers"] = {
    threshold,
    members: shares.map((s) => ({
      address: addressFromSecretKey(randomSecretKey()),
      index: s.index,
      verificationKey: hex(encodeVerificationKey(params, s.verificationKey)),
    })),
  };
  const vk = aggregatedVerificationKey(params, {
    pipeAccount: issuers.members[0]!.address,
    watchers: { threshold: 1, members: [issuers.members[0]!.address] },
    verifiers: { threshold: 1, members: [issuers.members[0]!.address] },
    issuers,
    accounts: [],
  });
  return { params, shares, issuers, vk };
}

/**
 * A real credential of `value` issued the way the network does it (a blind-sign request, partials from the last
 * `threshold` issuers, each checked and unblinded, then aggregated), proved to the SP at `spAddress`.
 */
export function issueSpend(kit: CredentialKit, value: bigint, spAddress: string): Spend {
  const { params } = kit;
  const prepared = prepareCredentialRequest(params, value);
  const keys = issuerKeys(params, { issuers: kit.issuers } as AppState);
  const signers = kit.shares.slice(-kit.issuers.threshold);
  const partials = signers.map((share) => {
    const request = decodeRequest(params, prepared.tx.blindSignRequest);
    const blinded = hex(encodeBlindedSignature(params, blindSign(params, share.secretKey, request, [value])));
    const key = keys.find((k) => k.index === share.index)?.verificationKey as VerificationKey;
    return { index: share.index, signature: unblindPartial(params, prepared, blinded, key) };
  });
  const credential = aggregateCredential(params, partials, kit.vk, prepared.secrets, value);
  return proveSpend(params, kit.vk, credential, prepared.secrets, value, spAddress);
}
