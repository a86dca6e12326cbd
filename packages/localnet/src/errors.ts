import { NymError } from "@nym-ts/common";

export type LocalnetErrorCode =
  /** `build` into a directory that already holds something (without --force), or --force on a foreign directory. */
  | "LOCALNET_ERROR_EXISTS"
  /** The build directory holds no localnet.json (run `nym-localnet build`), or one of another version. */
  | "LOCALNET_ERROR_NOT_BUILT"
  /** A port of the plan is taken by another program. */
  | "LOCALNET_ERROR_PORT_IN_USE"
  /** An external tool (cometbft, anvil) is missing or failed. */
  | "LOCALNET_ERROR_TOOL"
  /** A service exited or did not become healthy in time. */
  | "LOCALNET_ERROR_UNHEALTHY"
  /** The localnet is running where the command needs it stopped (build --force). */
  | "LOCALNET_ERROR_RUNNING"
  /** `logs NAME` or another command named no service of this localnet. */
  | "LOCALNET_ERROR_UNKNOWN_SERVICE"
  /** Deploying the token or funding the client on Ethereum failed. */
  | "LOCALNET_ERROR_ETHEREUM";

/** Failures of nym-localnet; `code` names the failure. */
export class LocalnetError extends NymError<LocalnetErrorCode, Record<string, unknown>> {}
