import { bytesToHex, type ChainEvent, type CredentialRequestView } from "@nym-ts/chain-client";
import { blindSign, encodeBlindedSignature, IssuanceProofError, type Params, type SecretKey } from "@nym-ts/coconut";
import {
  decodeRequest,
  type IssuerRejectionReason,
  PRIVATE_ATTRIBUTES,
  publicAttributesMatchValue,
  RequestId,
  valueAttribute,
} from "@nym-ts/credentials";
import type { SeenRequest } from "./store.js";

/** A `credential_request` event's fields, parsed. */
export interface CredentialRequestEvent extends SeenRequest {
  blindSignRequest: string;
  publicAttributes: string[];
}

/** What the issuer does with a request: sign it, or refuse it for good with a reason. */
export type Decision =
  | { status: "signed"; blindedSignature: string }
  | { status: "rejected"; reason: IssuerRejectionReason; detail: string };

/** A decimal amount as the ledger writes it: a positive integer without leading zeros. */
const AMOUNT = /^[1-9][0-9]{0,77}$/;

/**
 * Parses a `credential_request` event. `id` is undefined when the event has no usable request id (it cannot be
 * stored, only counted); `request` is undefined when some other field is malformed (stored as rejected).
 */
export function parseRequestEvent(
  event: ChainEvent,
): { ok: true; request: CredentialRequestEvent } | { ok: false; seen: SeenRequest | undefined; detail: string } {
  const a = event.attributes;
  const requestId = a.request_id as string;
  if (!RequestId.safeParse(requestId).success) {
    return { ok: false, seen: undefined, detail: "request_id is not a tx hash" };
  }
  const height = event.height;
  const seen: SeenRequest = {
    requestId,
    height: Number.isSafeInteger(height) && height > 0 ? height : 0,
    requester: typeof a.requester === "string" ? a.requester.slice(0, 64) : "",
    value: typeof a.value === "string" ? a.value.slice(0, 80) : "",
  };
  if (seen.height === 0) return { ok: false, seen, detail: "the event has no height" };
  if (requestId !== event.txHash) return { ok: false, seen, detail: "request_id is not the hash of its tx" };
  if (!/^0x[0-9a-f]{40}$/.test(seen.requester)) return { ok: false, seen, detail: "requester is not an address" };
  if (!AMOUNT.test(seen.value)) return { ok: false, seen, detail: "value is not a positive integer" };
  const blindSignRequest = a.blind_sign_request;
  if (typeof blindSignRequest !== "string" || blindSignRequest.length === 0) {
    return { ok: false, seen, detail: "blind_sign_request is missing" };
  }
  let publicAttributes: unknown;
  try {
    publicAttributes = JSON.parse(a.public_attributes ?? "");
  } catch {
    return { ok: false, seen, detail: "public_attributes is not JSON" };
  }
  if (!Array.isArray(publicAttributes) || !publicAttributes.every((p) => typeof p === "string")) {
    return { ok: false, seen, detail: "public_attributes is not a list of strings" };
  }
  return { ok: true, request: { ...seen, blindSignRequest, publicAttributes } };
}

/**
 * Where the chain's state and the event disagree about a request, or undefined when they agree (the optional
 * cross-check: the event stream and the ledger's state must tell the same story).
 */
export function crossCheckMismatch(
  event: CredentialRequestEvent,
  view: CredentialRequestView | undefined,
): string | undefined {
  if (!view) return "the chain has no such credential request";
  if (view.requester.toLowerCase() !== event.requester) return "requester differs from the chain's";
  if (view.value !== event.value) return "value differs from the chain's";
  if (view.blindSignRequest !== event.blindSignRequest) return "blind-sign request differs from the chain's";
  if (JSON.stringify(view.publicAttributes) !== JSON.stringify(event.publicAttributes)) {
    return "public attributes differ from the chain's";
  }
  if (view.height !== event.height) return "height differs from the chain's";
  return undefined;
}

/**
 * The issuer's checks and signature, in order: the public attributes are exactly `[value]` (so the credential's
 * disclosed value is what the ledger debited), the blind-sign request decodes with every point on the curve, in the
 * subgroup and not the identity, it has the credential layout's private attributes, and its issuance proof π_s
 * holds for that value (`blindSign` checks it first and throws IssuanceProofError). Never throws: every failure is
 * a rejection with a reason and a short detail that holds no secret (the request is public, on chain).
 */
export function decideRequest(params: Params, secretKey: SecretKey, request: CredentialRequestEvent): Decision {
  if (!publicAttributesMatchValue(request.publicAttributes, request.value)) {
    return { status: "rejected", reason: "value_mismatch", detail: "public attributes are not [value]" };
  }
  let value: bigint;
  try {
    value = valueAttribute(BigInt(request.value));
  } catch {
    return { status: "rejected", reason: "value_mismatch", detail: "value is not a scalar" };
  }
  let decoded: ReturnType<typeof decodeRequest>;
  try {
    decoded = decodeRequest(params, request.blindSignRequest);
  } catch (error) {
    return { status: "rejected", reason: "malformed_request", detail: causeMessage(error) };
  }
  if (decoded.attributeCommitments.length !== PRIVATE_ATTRIBUTES) {
    return {
      status: "rejected",
      reason: "malformed_request",
      detail: `${decoded.attributeCommitments.length} private attributes, expected ${PRIVATE_ATTRIBUTES}`,
    };
  }
  try {
    const blinded = blindSign(params, secretKey, decoded, [value]);
    return { status: "signed", blindedSignature: `0x${bytesToHex(encodeBlindedSignature(params, blinded))}` };
  } catch (error) {
    if (error instanceof IssuanceProofError) {
      return { status: "rejected", reason: "bad_proof", detail: "the issuance proof does not verify" };
    }
    return { status: "rejected", reason: "malformed_request", detail: causeMessage(error) };
  }
}

/** The innermost message of an error chain, cut short (the coconut decoders name the field that failed). */
function causeMessage(error: unknown): string {
  let e: unknown = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return (e instanceof Error ? e.message : String(e)).slice(0, 200);
}
