import { NymError } from "@nym-ts/common";

export type WatcherErrorCode =
  /** The SQLite file belongs to another token, pipe account or Ethereum chain than the config names. */
  | "WATCHER_ERROR_STORE_MISMATCH"
  /** An `eth_getLogs` entry that is not a well-formed ERC20 Transfer into the pipe account. */
  | "WATCHER_ERROR_MALFORMED_LOG"
  /** A JSON-RPC answer of the wrong shape (not a hex quantity, not an array...). */
  | "WATCHER_ERROR_RPC_RESPONSE"
  /** The chain refused a notification for a reason that retrying cannot fix. */
  | "WATCHER_ERROR_NOTIFICATION_REJECTED"
  | "WATCHER_ERROR_PAYMENT"
  | "WATCHER_ERROR_TIMEOUT";

export class WatcherError extends NymError<WatcherErrorCode, Record<string, unknown>> {}
