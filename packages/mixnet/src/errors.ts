import { NymError } from "@nym-ts/common";

export type MixnetErrorCode =
  | "MIXNET_ERROR_BAD_FRAME"
  | "MIXNET_ERROR_BAD_PEER"
  | "MIXNET_ERROR_BAD_PAYLOAD"
  | "MIXNET_ERROR_NO_ROUTE"
  | "MIXNET_ERROR_MESSAGE_TOO_LONG"
  | "MIXNET_ERROR_QUEUE_FULL";

/** Errors of the mixnet library; `code` names the failure. */
export class MixnetError extends NymError<MixnetErrorCode> {}
