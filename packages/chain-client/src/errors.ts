import { NymError } from "@nym-ts/common";

/**
 * Every way the ledger rejects a tx. The numeric ABCI code is what CometBFT reports to clients (`code` in
 * CheckTx/DeliverTx results, codespace `nym`); the string code is the greppable name used in logs and errors.
 * Codes are part of the wire contract: never renumber, only append.
 */
export const TX_CODES = {
  CHAIN_ERROR_ENCODING: 1,
  CHAIN_ERROR_SCHEMA: 2,
  CHAIN_ERROR_SIGNATURE: 3,
  CHAIN_ERROR_WRONG_CHAIN: 4,
  CHAIN_ERROR_NONCE: 5,
  CHAIN_ERROR_UNAUTHORIZED: 6,
  CHAIN_ERROR_DUPLICATE_VOTE: 7,
  CHAIN_ERROR_INSUFFICIENT_FUNDS: 8,
  CHAIN_ERROR_ZETA_IN_USE: 9,
  CHAIN_ERROR_ZETA_UNKNOWN: 10,
  CHAIN_ERROR_ZETA_NOT_PENDING: 11,
  CHAIN_ERROR_TX_TOO_LARGE: 12,
  CHAIN_ERROR_BALANCE_OVERFLOW: 13,
  /** A deposit whose proof is not a Coconut Θ encoding carrying the deposited zeta (see `proofZeta`). */
  CHAIN_ERROR_ZETA_MISMATCH: 14,
  /**
   * A tx body whose JSON names one key twice in an object (`"nonce":99,"nonce":3`): parsers disagree on which one
   * counts (JSON.parse keeps the last), so the ledger refuses the tx rather than pick one.
   */
  CHAIN_ERROR_DUPLICATE_KEY: 15,
} as const;

export type TxErrorCode = keyof typeof TX_CODES;

export const CODESPACE = "nym";

const BY_NUMBER = new Map<number, TxErrorCode>(
  Object.entries(TX_CODES).map(([name, code]) => [code, name as TxErrorCode]),
);

/** The name of a numeric ABCI code returned by the chain, or undefined for 0 and unknown codes. */
export function txErrorName(code: number): TxErrorCode | undefined {
  return BY_NUMBER.get(code);
}

/** A tx was rejected by the ledger; `abciCode` is the number CometBFT reports. */
export class TxRejected extends NymError<TxErrorCode, { abciCode: number }> {
  constructor(code: TxErrorCode, message: string) {
    super(code, message, { abciCode: TX_CODES[code] });
  }
  get abciCode(): number {
    return TX_CODES[this.code];
  }
}

export type ChainErrorCode =
  | "CHAIN_ERROR_BROADCAST"
  | "CHAIN_ERROR_QUERY"
  | "CHAIN_ERROR_TESTNET"
  | "CHAIN_ERROR_GENESIS"
  /** The ledger or CometBFT's stored state was made from another genesis than the one in the node's home. */
  | "CHAIN_ERROR_GENESIS_MISMATCH"
  | "CHAIN_ERROR_STATE";

/** Failures outside tx validation: RPC, queries, the testnet launcher, corrupt stored state. */
export class ChainError extends NymError<ChainErrorCode, Record<string, unknown>> {}
