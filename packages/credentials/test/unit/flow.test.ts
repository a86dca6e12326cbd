import { type AppState, addressFromSecretKey, bytesToHex, randomSecretKey } from "@nym-ts/chain-client";
import {
  blindSign,
  encodeBlindedSignature,
  encodeVerificationKey,
  type KeyShare,
  type Params,
  ttpKeygen,
} from "@nym-ts/coconut";
import { beforeAll, describe, expect, it } from "vitest";
import {
  aggregateCredential,
  aggregatedVerificationKey,
  CredentialError,
  checkSpend,
  credentialParams,
  decodePublicAttribute,
  decodeRequest,
  encodePublicAttribute,
  issuerKeys,
  prepareCredentialRequest,
  proveSpend,
  publicAttributesMatchValue,
  unblindPartial,
} from "../../src/index.js";

const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;
const address = () => addressFromSecretKey(randomSecretKey());

let params: Params;
let shares: KeyShare[];
let appState: AppState;

beforeAll(async () => {
  params = await credentialParams();
  shares = ttpKeygen(params, 2, 3);
  appState = {
    pipeAccount: address(),
    watchers: { threshold: 1, members: [address()] },
    verifiers: { threshold: 1, members: [address()] },
    issuers: {
      threshold: 2,
      members: shares.map((s) => ({
        address: address(),
        index: s.index,
        verificationKey: hex(encodeVerificationKey(params, s.verificationKey)),
      })),
    },
    accounts: [],
  };
});

/** What an issuer does with a request: decode it, blind-sign it with its share. */
function issue(share: KeyShare, blindSignRequest: string, value: bigint): string {
  const request = decodeRequest(params, blindSignRequest);
  return hex(encodeBlindedSignature(params, blindSign(params, share.secretKey, request, [value])));
}

describe("public attribute encoding", () => {
  it("round-trips a value as 32 bytes of lower-case hex", () => {
    expect(encodePublicAttribute(10n)).toBe(`0x${"0".repeat(62)}0a`);
    expect(decodePublicAttribute(encodePublicAttribute(123456789n))).toBe(123456789n);
  });

  it("refuses non-canonical encodings with a typed error", () => {
    for (const bad of ["0x0a", `0x${"F".repeat(64)}`, `0x${"f".repeat(64)}`, "10", `${"0".repeat(64)}`]) {
      expect(() => decodePublicAttribute(bad)).toThrow(CredentialError);
    }
  });

  it("matches a request's public attributes to its value only when they agree exactly", () => {
    expect(publicAttributesMatchValue([encodePublicAttribute(5n)], "5")).toBe(true);
    expect(publicAttributesMatchValue([encodePublicAttribute(6n)], "5")).toBe(false);
    expect(publicAttributesMatchValue([encodePublicAttribute(5n), encodePublicAttribute(5n)], 5n)).toBe(false);
    expect(publicAttributesMatchValue([], 5n)).toBe(false);
    expect(publicAttributesMatchValue(["0x05"], 5n)).toBe(false);
  });
});

describe("the credential flow", () => {
  it("issues with 2 of 3 issuers, spends bound to one SP, and the proof fails for any other SP or value", () => {
    const vk = aggregatedVerificationKey(params, appState);
    const keys = issuerKeys(params, appState);
    const prepared = prepareCredentialRequest(params, 10n);
    const partials = [shares[0], shares[2]].map((share) => {
      const s = share as KeyShare;
      const issuerKey = keys.find((k) => k.index === s.index)?.verificationKey;
      if (!issuerKey) throw new Error("no key");
      return {
        index: s.index,
        signature: unblindPartial(params, prepared, issue(s, prepared.tx.blindSignRequest, 10n), issuerKey),
      };
    });
    const credential = aggregateCredential(params, partials, vk, prepared.secrets, 10n);
    const spA = address();
    const spB = address();
    const spend = proveSpend(params, vk, credential, prepared.secrets, 10n, spA);
    const atA = checkSpend(params, vk, spend.theta, spend.value, spA);
    expect(atA.ok).toBe(true);
    expect(atA.ok && atA.zeta).toBe(spend.zeta);
    expect(checkSpend(params, vk, spend.theta, spend.value, spB)).toMatchObject({ ok: false, reason: "invalid" });
    expect(checkSpend(params, vk, spend.theta, "11", spA)).toMatchObject({ ok: false, reason: "invalid" });
    // Two spends of one credential reveal the same zeta (what the chain refuses twice) but are unlinkable otherwise.
    const again = proveSpend(params, vk, credential, prepared.secrets, 10n, spA);
    expect(again.zeta).toBe(spend.zeta);
    expect(again.theta).not.toBe(spend.theta);
  });

  it("names a partial signed by a key other than the issuer's as bad", () => {
    const keys = issuerKeys(params, appState);
    const prepared = prepareCredentialRequest(params, 3n);
    const wrong = ttpKeygen(params, 1, 1)[0] as KeyShare;
    const blinded = issue(wrong, prepared.tx.blindSignRequest, 3n);
    const err = (() => {
      try {
        unblindPartial(params, prepared, blinded, keys[0]?.verificationKey as never);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CredentialError);
    expect((err as CredentialError).code).toBe("CREDENTIAL_ERROR_BAD_PARTIAL");
    expect(() => unblindPartial(params, prepared, "0x00", keys[0]?.verificationKey as never)).toThrow(CredentialError);
  });

  it("reports a truncated or garbage proof as malformed, not as a crash", () => {
    const vk = aggregatedVerificationKey(params, appState);
    const sp = address();
    expect(checkSpend(params, vk, "0x0102", "1", sp)).toMatchObject({ ok: false, reason: "malformed" });
    const prepared = prepareCredentialRequest(params, 1n);
    expect(() => decodeRequest(params, `${prepared.tx.blindSignRequest.slice(0, -4)}`)).toThrow(CredentialError);
  });
});
