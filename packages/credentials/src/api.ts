import { addressSchema, positiveAmountSchema } from "@nym-ts/chain-client";
import { HttpErrorBody } from "@nym-ts/common";
import { z } from "zod";

/**
 * The HTTP and mixnet APIs of the credential daemons, as zod schemas: the one source of the daemons' OpenAPI
 * documents and of nymclient's types (as @nym-ts/directory-client is for the directory).
 */

const hex = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^0x(?:[0-9a-f]{2})+$/, `${name} must be 0x-prefixed lower-case hex`)
    .refine((s) => (s.length - 2) / 2 >= min && (s.length - 2) / 2 <= max, { message: `${name}: ${min}..${max} bytes` })
    .describe(`${name}, 0x-prefixed lower-case hex`);

/** A credential request's id: the sha256 hash of its chain tx, upper-case hex (CometBFT's tx hash). */
export const RequestId = z
  .string()
  .regex(/^[0-9A-F]{64}$/, "request id must be 64 upper-case hex digits (the tx hash)")
  .describe("The credential request's id: the hash of its credential_request tx (64 upper-case hex digits)");

/** `GET /v1/verification-key` of an issuer. */
export const IssuerVerificationKey = z
  .strictObject({
    index: z.int().min(1).max(1024).describe("The issuer's share index (1-based)"),
    address: addressSchema.describe("The issuer's chain account"),
    verificationKey: hex("verificationKey", 1, 8192).describe("Its verification key share (coconut wire encoding)"),
  })
  .describe("IssuerVerificationKey");
export type IssuerVerificationKey = z.infer<typeof IssuerVerificationKey>;

/** `GET /v1/partial-credentials/{requestId}` of an issuer: its blinded signature on the request. */
export const PartialCredential = z
  .strictObject({
    requestId: RequestId,
    index: z.int().min(1).max(1024).describe("The signing issuer's share index"),
    blindedSignature: hex("blindedSignature", 1, 1024).describe("The blinded signature (coconut wire encoding)"),
    height: z.int().min(1).describe("Height of the block holding the credential request"),
  })
  .describe("PartialCredential");
export type PartialCredential = z.infer<typeof PartialCredential>;

/**
 * Why an issuer refused a credential request for good (it never signs it; asking again gives the same answer):
 * - `malformed_event`: the chain event lacks a field or holds one of the wrong form;
 * - `value_mismatch`: the public attributes are not exactly `[encodePublicAttribute(value)]`;
 * - `malformed_request`: the blind-sign request does not decode (bad hex, wrong lengths, points off the curve or
 *   the identity, a private attribute count other than the credential layout's);
 * - `bad_proof`: the request's issuance proof (π_s) does not verify;
 * - `chain_mismatch`: the issuer's cross-check of the request against the chain's state found it absent or different.
 */
export const ISSUER_REJECTION_REASONS = [
  "malformed_event",
  "value_mismatch",
  "malformed_request",
  "bad_proof",
  "chain_mismatch",
] as const;
export type IssuerRejectionReason = (typeof ISSUER_REJECTION_REASONS)[number];

/** The 422 answer of `GET /v1/partial-credentials/{requestId}` for a request the issuer refused to sign. */
export const IssuerRejection = HttpErrorBody.extend({
  reason: z.enum(ISSUER_REJECTION_REASONS).describe("Why the issuer refused the request (it never will sign it)"),
}).describe("IssuerRejection");
export type IssuerRejection = z.infer<typeof IssuerRejection>;

/** A spend: the credential proof (Θ) bound to the SP, and the value it discloses. HTTP body and mixnet message. */
export const SpendRequest = z
  .strictObject({
    theta: hex("theta", 1, 16 * 1024).describe("The credential proof Θ, bound to this SP's address"),
    value: positiveAmountSchema.describe("The credential's public value, as a decimal string"),
  })
  .describe("SpendRequest");
export type SpendRequest = z.infer<typeof SpendRequest>;

export const SPEND_OUTCOMES = ["spent", "rejected", "double_spend", "released", "timeout"] as const;

/** The SP's answer to a spend. `accepted` is the plain `true`/`false` a client acts on; `reason` says why. */
export const SpendAnswer = z
  .strictObject({
    accepted: z.boolean().describe("true when the chain marked the credential spent and credited this SP"),
    outcome: z.enum(SPEND_OUTCOMES).describe("What happened to the spend"),
    reason: z.string().max(500).describe("A human-readable reason"),
    zeta: hex("zeta", 96, 96).optional().describe("The serial number tag the proof revealed"),
    depositTx: z.string().optional().describe("The deposit_credential tx hash, when one was sent"),
  })
  .describe("SpendAnswer");
export type SpendAnswer = z.infer<typeof SpendAnswer>;

/** `GET /v1/info` of a service provider: who it is, so a client can bind a proof to it and reach it. */
export const ServiceProviderInfo = z
  .strictObject({
    address: addressSchema.describe("The SP's chain account: spends must be bound to it"),
    mixnetAddress: z.string().optional().describe("The SP's mixnet address (identity.encryption@gateway), if any"),
    version: z.string().describe("Software version"),
  })
  .describe("ServiceProviderInfo");
export type ServiceProviderInfo = z.infer<typeof ServiceProviderInfo>;

/** A mixnet message to an SP: a spend, with a message id so the reply (over a SURB) can be matched. */
export const MixnetSpendMessage = z
  .strictObject({
    type: z.literal("spend"),
    id: z.string().min(1).max(64).describe("Client-chosen id echoed in the answer"),
    spend: SpendRequest,
  })
  .describe("MixnetSpendMessage");
export type MixnetSpendMessage = z.infer<typeof MixnetSpendMessage>;

export const MixnetSpendAnswer = z
  .strictObject({ type: z.literal("spend_answer"), id: z.string().min(1).max(64), answer: SpendAnswer })
  .describe("MixnetSpendAnswer");
export type MixnetSpendAnswer = z.infer<typeof MixnetSpendAnswer>;
