import { NymError } from "@nym-ts/common";

export type ContractsErrorCode =
  | "CONTRACTS_ERROR_ANVIL_START"
  | "CONTRACTS_ERROR_DEPLOY"
  | "CONTRACTS_ERROR_AMOUNT"
  | "CONTRACTS_ERROR_ADDRESS"
  /** payIntoNym: bad input or a reverted transfer. */
  | "CONTRACTS_ERROR_PAYMENT"
  /** payIntoNym: the Nym account was not credited in time. */
  | "CONTRACTS_ERROR_TIMEOUT";

export class ContractsError extends NymError<ContractsErrorCode, Record<string, unknown>> {}
