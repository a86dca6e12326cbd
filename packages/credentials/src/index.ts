/**
 * @nym-ts/credentials: what every party of a Nym credential shares on top of @nym-ts/coconut: the attribute layout
 * (private serial and binding numbers, the public value), the aggregated verification key from the chain's genesis,
 * the request / unblind / aggregate / prove / check steps of the flow, and the issuers' and service providers' APIs
 * as zod schemas (the one source of the daemons' OpenAPI documents and of nymclient's types) with typed clients.
 *
 * Flow (docs/architecture.md): the client posts `prepareCredentialRequest(...).tx` as a `credential_request` tx;
 * each issuer blind-signs and serves a `PartialCredential`; the client `unblindPartial`s at least t of them and
 * `aggregateCredential`s; `proveSpend` binds a proof to one SP's address; the SP and then the verifiers `checkSpend`.
 *
 * @example
 * const params = await credentialParams();
 * const vk = aggregatedVerificationKey(params, await chain.params());
 * const prepared = prepareCredentialRequest(params, 10n);
 * // ... broadcast buildCredentialRequest(key, ctx, prepared.tx), collect partials from issuers
 * const sig = aggregateCredential(params, partials, vk, prepared.secrets, 10n);
 * const spend = proveSpend(params, vk, sig, prepared.secrets, 10n, spAddress);
 * checkSpend(params, vk, spend.theta, spend.value, spAddress).ok; // true
 */

export {
  ISSUER_REJECTION_REASONS,
  IssuerRejection,
  type IssuerRejectionReason,
  IssuerVerificationKey,
  MixnetSpendAnswer,
  MixnetSpendMessage,
  PartialCredential,
  RequestId,
  ServiceProviderInfo,
  SPEND_OUTCOMES,
  SpendAnswer,
  SpendRequest,
} from "./api.js";
export { type HttpOptions, IssuerClient, ServiceProviderClient } from "./clients.js";
export { type DealtIssuerKey, dealIssuerKeys } from "./dealer.js";
export { CredentialError, type CredentialErrorCode } from "./errors.js";
export {
  aggregateCredential,
  type CredentialSecrets,
  checkSpend,
  decodeRequest,
  decodeSpendTheta,
  type PreparedRequest,
  prepareCredentialRequest,
  proveSpend,
  type Spend,
  type SpendCheck,
  unblindPartial,
} from "./flow.js";
export {
  ATTRIBUTE_COUNT,
  aggregatedVerificationKey,
  credentialParams,
  decodePublicAttribute,
  encodePublicAttribute,
  type IssuerKey,
  issuerKeys,
  PRIVATE_ATTRIBUTES,
  PUBLIC_ATTRIBUTES,
  publicAttributesMatchValue,
  spBinding,
  valueAttribute,
} from "./scheme.js";
