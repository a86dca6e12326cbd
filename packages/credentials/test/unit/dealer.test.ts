import { type AppState, addressFromSecretKey, hexToBytes, randomSecretKey } from "@nym-ts/chain-client";
import {
  blindSign,
  decodeSecretKey,
  decodeVerificationKey,
  encodeBlindedSignature,
  type Params,
  setup,
  verificationKeyOf,
} from "@nym-ts/coconut";
import { beforeAll, describe, expect, it } from "vitest";
import {
  aggregateCredential,
  aggregatedVerificationKey,
  credentialParams,
  dealIssuerKeys,
  issuerKeys,
  prepareCredentialRequest,
  unblindPartial,
} from "../../src/index.js";

let params: Params;
beforeAll(async () => {
  params = await credentialParams();
});

const address = () => addressFromSecretKey(randomSecretKey());

describe("dealIssuerKeys", () => {
  it("deals t-of-n shares whose key files decode to the genesis keys and issue a credential with any t", () => {
    const dealt = dealIssuerKeys(params, 2, 3);
    expect(dealt.threshold).toBe(2);
    expect(dealt.keys.map((k) => k.index)).toEqual([1, 2, 3]);
    const appState: AppState = {
      pipeAccount: address(),
      watchers: { threshold: 1, members: [address()] },
      verifiers: { threshold: 1, members: [address()] },
      issuers: {
        threshold: 2,
        members: dealt.keys.map((k) => ({ address: address(), index: k.index, verificationKey: k.verificationKey })),
      },
      accounts: [],
    };
    expect(issuerKeys(params, appState)).toHaveLength(3);
    const secrets = dealt.keys.map((k) => decodeSecretKey(params, k.secretKey));
    for (const [i, sk] of secrets.entries()) {
      expect(sk.index).toBe(i + 1);
      const vk = decodeVerificationKey(params, hexToBytes(dealt.keys[i]?.verificationKey as string));
      expect(params.backend.g2Eq(verificationKeyOf(params, sk).alpha, vk.alpha)).toBe(true);
    }

    const vk = aggregatedVerificationKey(params, appState);
    const keys = issuerKeys(params, appState);
    const prepared = prepareCredentialRequest(params, 7n);
    const partials = [secrets[1], secrets[2]].map((sk) => {
      const secret = sk as (typeof secrets)[number];
      const blinded = blindSign(params, secret, prepared.request, [7n]);
      const hex = `0x${Buffer.from(encodeBlindedSignature(params, blinded)).toString("hex")}`;
      const issuerKey = keys.find((k) => k.index === secret.index)?.verificationKey;
      return { index: secret.index, signature: unblindPartial(params, prepared, hex, issuerKey as never) };
    });
    expect(() => aggregateCredential(params, partials, vk, prepared.secrets, 7n)).not.toThrow();
  });

  it("refuses params that are not the credential layout's", () => {
    expect(() => dealIssuerKeys(setup(2, { backend: params.backend }), 1, 1)).toThrow(RangeError);
  });
});
