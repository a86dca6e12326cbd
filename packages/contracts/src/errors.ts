import { NymError } from "@nym-ts/common";

export type ContractsErrorCode =
  | "CONTRACTS_ERROR_ANVIL_START"
  | "CONTRACTS_ERROR_DEPLOY"
  | "CONTRACTS_ERROR_AMOUNT"
  | "CONTRACTS_ERROR_ADDRESS";

export class ContractsError extends NymError<ContractsErrorCode, Record<string, unknown>> {}
