import { NymError } from "@nym-ts/common";

export type VerifierErrorCode =
  /** The SQLite file was made for another chain or another verifier key. */
  | "VERIFIER_ERROR_STORE_MISMATCH"
  /** This key's address is not in the chain's verifier set: no vote of it could count. */
  | "VERIFIER_ERROR_NOT_A_VERIFIER"
  /** A key file that does not hold what it should (a secp256k1 key as hex, a 32-byte Ed25519 seed). */
  | "VERIFIER_ERROR_BAD_KEY"
  /** The chain refused a vote for a reason retrying the same vote cannot fix. */
  | "VERIFIER_ERROR_VOTE_REJECTED"
  /** Votes were not committed in time (they are retried). */
  | "VERIFIER_ERROR_TIMEOUT"
  /** A chain answer of the wrong shape (a deposit event without its attributes, a view without its proof). */
  | "VERIFIER_ERROR_CHAIN_RESPONSE"
  /** The verifier was stopped while a call was in flight. */
  | "VERIFIER_ERROR_STOPPED"
  /** GET /v1/votes/{zeta} for a zeta this verifier has never seen deposited. */
  | "VERIFIER_ERROR_NOT_FOUND";

/** Failures of nym-verifier; `code` names the failure. */
export class VerifierError extends NymError<VerifierErrorCode, Record<string, unknown>> {}
