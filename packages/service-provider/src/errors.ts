import { NymError } from "@nym-ts/common";

export type ServiceProviderErrorCode =
  /** The spend's proof or value does not decode (truncated, trailing bytes, identity or off-curve points). */
  | "SP_ERROR_MALFORMED_SPEND"
  /** The SP has not loaded the chain's verification key yet (the chain is not reachable). */
  | "SP_ERROR_NOT_READY"
  /** The chain could not be reached while depositing; nothing was recorded, the spend may be retried. */
  | "SP_ERROR_CHAIN_UNAVAILABLE"
  /** A key file does not hold what it should. */
  | "SP_ERROR_BAD_KEY"
  /** The SQLite file belongs to another SP (another chain account). */
  | "SP_ERROR_STORE";

/** Failures of the service provider; `code` names the failure. */
export class ServiceProviderError extends NymError<ServiceProviderErrorCode> {
  constructor(code: ServiceProviderErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(code, message, options?.details, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
