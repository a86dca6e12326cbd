import { type AppState, addressFromSecretKey, bytesToHex, randomSecretKey } from "@nym-ts/chain-client";
import {
  blindSign,
  encodeBlindedSignature,
  encodeVerificationKey,
  type KeyShare,
  type Params,
  type Signature,
  ttpKeygen,
  type VerificationKey,
} from "@nym-ts/coconut";
import {
  aggregateCredential,
  aggregatedVerificationKey,
  type CredentialSecrets,
  credentialParams,
  decodeRequest,
  issuerKeys,
  prepareCredentialRequest,
  proveSpend,
  type Spend,
  unblindPartial,
} from "@nym-ts/credentials";

const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;
export const randomAddress = () => addressFromSecretKey(randomSecretKey());

/** A credential a client holds: the aggregated signature and its secrets. */
export interface Credential {
  signature: Signature;
  secrets: CredentialSecrets;
  value: bigint;
}

/**
 * Issuers with a dealt key (`ttpKeygen`, 2 of 3) in a genesis app state, and a client's side of the flow: real
 * Coconut credentials from @nym-ts/credentials, as the issuers and nymclient make them.
 */
export interface CredentialWorld {
  params: Params;
  shares: KeyShare[];
  appState: AppState;
  vk: VerificationKey;
  /** Issues a credential of `value` (blind-signed by issuers 1 and 3, unblinded, aggregated). */
  issue(value: bigint): Credential;
  /** Proves `credential` to the SP at `address` (a fresh, unlinkable Θ each time; the same zeta). */
  spend(credential: Credential, address: string): Spend;
  /** A credential signed by keys the chain does not know: its proofs never verify. */
  forge(value: bigint): Credential;
}

export async function credentialWorld(verifiers: string[] = [randomAddress()], verifierThreshold = 1) {
  const params = await credentialParams();
  const shares = ttpKeygen(params, 2, 3);
  const appState: AppState = {
    pipeAccount: randomAddress(),
    watchers: { threshold: 1, members: [randomAddress()] },
    verifiers: { threshold: verifierThreshold, members: verifiers as `0x${string}`[] },
    issuers: {
      threshold: 2,
      members: shares.map((s) => ({
        address: randomAddress(),
        index: s.index,
        verificationKey: hex(encodeVerificationKey(params, s.verificationKey)),
      })),
    },
    accounts: [],
  };
  const vk = aggregatedVerificationKey(params, appState);
  const keys = issuerKeys(params, appState);

  const issueWith = (signers: KeyShare[], value: bigint, checkVk: VerificationKey): Credential => {
    const prepared = prepareCredentialRequest(params, value);
    const request = decodeRequest(params, prepared.tx.blindSignRequest);
    const partials = signers.map((share) => {
      const blinded = hex(encodeBlindedSignature(params, blindSign(params, share.secretKey, request, [value])));
      return {
        index: share.index,
        signature: unblindPartial(params, prepared, blinded, share.verificationKey),
      };
    });
    return {
      signature: aggregateCredential(params, partials, checkVk, prepared.secrets, value),
      secrets: prepared.secrets,
      value,
    };
  };

  const world: CredentialWorld = {
    params,
    shares,
    appState,
    vk,
    issue(value) {
      const signers = [shares[0], shares[2]] as KeyShare[];
      // The issuers' keys in genesis are the shares' own (checked here as a client would).
      for (const s of signers) if (!keys.some((k) => k.index === s.index)) throw new Error("issuer key not in genesis");
      return issueWith(signers, value, vk);
    },
    spend(credential, address) {
      return proveSpend(params, vk, credential.signature, credential.secrets, credential.value, address);
    },
    forge(value) {
      const rogue = ttpKeygen(params, 1, 1);
      return issueWith(rogue, value, rogue[0]?.verificationKey as VerificationKey);
    },
  };
  return world;
}
