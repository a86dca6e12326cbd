import { NymError } from "@nym-ts/common";

export type ClientCredentialErrorCode =
  /** The client's directory lacks the credential config (`nymclient credential init`) or a needed section. */
  | "CLIENT_ERROR_CONFIG"
  /** A flag is missing or malformed (an amount, a provider). */
  | "CLIENT_ERROR_USAGE"
  /** The Nym account holds less than the credential's value. */
  | "CLIENT_ERROR_INSUFFICIENT_BALANCE"
  /** The chain refused the credential request tx. */
  | "CLIENT_ERROR_REQUEST_REJECTED"
  /** Fewer than t issuers gave a valid partial credential in time. */
  | "CLIENT_ERROR_COLLECT"
  /** No stored credential fits (none issued, or the named one is not spendable). */
  | "CLIENT_ERROR_NO_CREDENTIAL"
  /** The service provider cannot be found or reached, or answered something unusable. */
  | "CLIENT_ERROR_PROVIDER"
  /** The credential store is unusable (readable by others, or of another account). */
  | "CLIENT_ERROR_STORE"
  /** No answer in time (the mixnet reply, the credit). */
  | "CLIENT_ERROR_TIMEOUT";

/** Failures of nymclient's credential commands; `code` names the failure. */
export class ClientCredentialError extends NymError<ClientCredentialErrorCode, Record<string, unknown>> {}
