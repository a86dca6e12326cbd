import { NymError } from "@nym-ts/common";

export type IssuerErrorCode =
  /** A key file that does not hold what it should (a Coconut share for these params, a 32-byte key). */
  | "ISSUER_ERROR_BAD_KEY"
  /** The chain's genesis does not name this issuer's index with this chain address and verification key. */
  | "ISSUER_ERROR_NOT_IN_GENESIS"
  /** The SQLite file belongs to another chain, issuer index or key share than the config names. */
  | "ISSUER_ERROR_STORE_MISMATCH"
  /** HTTP: no partial credential for this request id (not seen yet, or not a credential request). */
  | "ISSUER_ERROR_UNKNOWN_REQUEST"
  /** HTTP: the issuer refused the request for good; the answer's `reason` says why. */
  | "ISSUER_ERROR_REQUEST_REJECTED";

/** Failures of the issuer daemon; `code` names the failure. */
export class IssuerError extends NymError<IssuerErrorCode, Record<string, unknown>> {}
