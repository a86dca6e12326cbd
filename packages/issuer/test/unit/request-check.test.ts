import { bytesToHex, hexToBytes } from "@nym-ts/chain-client";
import { decodeVerificationKey, encodeBlindSignRequest, prepareBlindSign, randomAttribute } from "@nym-ts/coconut";
import { encodePublicAttribute, unblindPartial } from "@nym-ts/credentials";
import { beforeAll, describe, expect, it } from "vitest";
import { type CredentialRequestEvent, decideRequest, parseRequestEvent } from "../../src/index.js";
import { type Dealt, dealt, prepare, requestEvent } from "../helpers/fixtures.js";

let d: Dealt;
beforeAll(async () => {
  d = await dealt();
});

/** The parsed event of a request, with fields replaced. */
function eventOf(
  prepared: ReturnType<typeof prepare>,
  attributes: Record<string, string | undefined> = {},
): CredentialRequestEvent {
  const parsed = parseRequestEvent(requestEvent(prepared, { height: 7, attributes }));
  if (!parsed.ok) throw new Error(`fixture does not parse: ${parsed.detail}`);
  return parsed.request;
}

const withBytes = (hex: string, edit: (bytes: Uint8Array) => void): string => {
  const bytes = hexToBytes(hex);
  edit(bytes);
  return `0x${bytesToHex(bytes)}`;
};

describe("decideRequest", () => {
  it("signs a well-formed request, and the partial unblinds under the issuer's key share", () => {
    const prepared = prepare(d, 10n);
    const decision = decideRequest(d.params, d.secrets[0] as never, eventOf(prepared));
    expect(decision.status).toBe("signed");
    const vk = decodeVerificationKey(d.params, hexToBytes(d.keys[0]?.verificationKey as string));
    const blinded = decision.status === "signed" ? decision.blindedSignature : "";
    expect(() => unblindPartial(d.params, prepared, blinded, vk)).not.toThrow();
  });

  it("rejects public attributes that are not exactly [value] (value_mismatch)", () => {
    const prepared = prepare(d, 10n);
    for (const publicAttributes of [
      [encodePublicAttribute(11n)],
      [],
      [encodePublicAttribute(10n), encodePublicAttribute(10n)],
      ["0x0a"],
    ]) {
      const decision = decideRequest(d.params, d.secrets[0] as never, {
        ...eventOf(prepared),
        publicAttributes,
      });
      expect(decision).toMatchObject({ status: "rejected", reason: "value_mismatch" });
    }
  });

  it("rejects a request whose issuance proof does not hold for the debited value (bad_proof)", () => {
    // Prepared for 10, posted as 11 with a matching attribute: the commitment still hides 10, so π_s fails.
    const prepared = prepare(d, 10n);
    const inflated = decideRequest(d.params, d.secrets[0] as never, {
      ...eventOf(prepared),
      value: "11",
      publicAttributes: [encodePublicAttribute(11n)],
    });
    expect(inflated).toMatchObject({ status: "rejected", reason: "bad_proof" });
    // A response scalar altered in transit: still decodes, no longer verifies.
    const tampered = withBytes(prepared.tx.blindSignRequest, (b) => {
      b[b.length - 1] = (b[b.length - 1] as number) ^ 1;
    });
    expect(
      decideRequest(d.params, d.secrets[0] as never, { ...eventOf(prepared), blindSignRequest: tampered }),
    ).toMatchObject({ status: "rejected", reason: "bad_proof" });
  });

  it("rejects garbage, truncated and identity-point requests without throwing (malformed_request)", () => {
    const prepared = prepare(d, 10n);
    const good = prepared.tx.blindSignRequest;
    const identityG1 = (offset: number) =>
      withBytes(good, (b) => {
        b.fill(0, offset, offset + 48);
        b[offset] = 0xc0; // compressed point at infinity
      });
    const cases: Record<string, string> = {
      notHex: "0xzz",
      oddHex: "0xabc",
      random: `0x${"5a".repeat(323)}`,
      truncated: good.slice(0, good.length - 2),
      trailing: `${good}00`,
      wrongTag: withBytes(good, (b) => {
        b[1] = 0x05;
      }),
      identityCommitment: identityG1(3),
      identityAttributeCommitment: identityG1(3 + 48),
      offCurve: withBytes(good, (b) => {
        b[3 + 48 + 10] = (b[3 + 48 + 10] as number) ^ 0xff;
      }),
    };
    for (const [name, blindSignRequest] of Object.entries(cases)) {
      const decision = decideRequest(d.params, d.secrets[0] as never, { ...eventOf(prepared), blindSignRequest });
      expect(decision, name).toMatchObject({ status: "rejected", reason: "malformed_request" });
    }
    const identity = decideRequest(d.params, d.secrets[0] as never, {
      ...eventOf(prepared),
      blindSignRequest: cases.identityCommitment as string,
    });
    expect(identity.status === "rejected" && identity.detail).toMatch(/identity/);
  });

  it("rejects a request with another number of private attributes than the credential layout's", () => {
    const { request } = prepareBlindSign(d.params, [randomAttribute()], [10n]);
    const blindSignRequest = `0x${bytesToHex(encodeBlindSignRequest(d.params, request))}`;
    const decision = decideRequest(d.params, d.secrets[0] as never, { ...eventOf(prepare(d, 10n)), blindSignRequest });
    expect(decision).toMatchObject({ status: "rejected", reason: "malformed_request" });
  });
});

describe("parseRequestEvent", () => {
  it("parses the ledger's attributes", () => {
    const prepared = prepare(d, 3n);
    const event = requestEvent(prepared, { height: 4 });
    const parsed = parseRequestEvent(event);
    expect(parsed).toMatchObject({
      ok: true,
      request: { requestId: event.txHash, height: 4, value: "3", publicAttributes: prepared.tx.publicAttributes },
    });
  });

  it("names an event without a usable request id (nothing to store it under)", () => {
    const prepared = prepare(d, 3n);
    for (const request_id of [undefined, "abc", "a".repeat(64)]) {
      const parsed = parseRequestEvent(requestEvent(prepared, { height: 4, attributes: { request_id } }));
      expect(parsed).toMatchObject({ ok: false, seen: undefined });
    }
  });

  it("keeps the id of an event with other malformed fields, so the rejection can be stored", () => {
    const prepared = prepare(d, 3n);
    const bad: Record<string, Record<string, string | undefined>> = {
      value: { value: "03" },
      negative: { value: "-3" },
      requester: { requester: "nobody" },
      publicJson: { public_attributes: "[0x" },
      publicShape: { public_attributes: "[1,2]" },
      missingRequest: { blind_sign_request: undefined },
      idNotHash: { request_id: "F".repeat(64) },
    };
    for (const [name, attributes] of Object.entries(bad)) {
      const parsed = parseRequestEvent(requestEvent(prepared, { height: 4, label: name, attributes }));
      expect(parsed.ok, name).toBe(false);
      expect(!parsed.ok && parsed.seen?.requestId, name).toMatch(/^[0-9A-F]{64}$/);
    }
  });
});
