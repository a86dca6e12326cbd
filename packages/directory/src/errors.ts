import { HttpError } from "@nym-ts/common";

export type DirectoryErrorCode =
  | "DIRECTORY_ERROR_INVALID_KEY"
  | "DIRECTORY_ERROR_TIMESTAMP_OUT_OF_WINDOW"
  | "DIRECTORY_ERROR_BAD_SIGNATURE"
  | "DIRECTORY_ERROR_REPLAY"
  | "DIRECTORY_ERROR_NOT_FOUND"
  | "DIRECTORY_ERROR_NOT_REGISTERED"
  | "DIRECTORY_ERROR_RATE_LIMITED"
  | "DIRECTORY_ERROR_INVALID_PEER"
  | "DIRECTORY_ERROR_METRICS_IMPLAUSIBLE";

/** A refused directory request; the HTTP app answers with its status and code. */
export class DirectoryError extends HttpError<DirectoryErrorCode> {}
