export type MixnetErrorCode =
  | "MIXNET_ERROR_BAD_FRAME"
  | "MIXNET_ERROR_BAD_PEER"
  | "MIXNET_ERROR_BAD_PAYLOAD"
  | "MIXNET_ERROR_NO_ROUTE"
  /** A message none of whose copies was acknowledged, neither by the recipient's gateway nor by the recipient. */
  | "MIXNET_ERROR_LOST"
  /** A message stored at the recipient's gateway that the recipient did not fetch in time. */
  | "MIXNET_ERROR_NOT_FETCHED"
  | "MIXNET_ERROR_MESSAGE_TOO_LONG"
  | "MIXNET_ERROR_QUEUE_FULL";

/**
 * Errors of the mixnet library; `code` names the failure. A plain coded Error (this pure library does not depend on
 * the daemons' runtime); @nym-ts/common's `isNymError` recognises any Error with an upper-case `code`.
 */
export class MixnetError extends Error {
  readonly code: MixnetErrorCode;
  readonly details: unknown;

  constructor(code: MixnetErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}
