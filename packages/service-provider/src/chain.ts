import {
  type Address,
  buildDepositCredential,
  type ChainClient,
  TX_CODES,
  type TxErrorCode,
  txErrorName,
} from "@nym-ts/chain-client";
import type { Logger } from "@nym-ts/common";
import { ServiceProviderError } from "./errors.js";

/** What the SP uses of a `ChainClient`: tests hand in a fake of this shape. */
export type SpendChain = Pick<ChainClient, "chainId" | "account" | "params" | "zeta" | "broadcastTxSync" | "subscribe">;

/** What became of a deposit tx at CheckTx. */
export type DepositResult =
  | { kind: "accepted"; hash: string }
  | { kind: "zeta_in_use"; hash: string; log: string }
  | { kind: "refused"; hash: string; code: TxErrorCode | `code ${number}`; log: string };

/** Attempts per deposit when the chain says the nonce is not the one it expects (another tx of ours raced it). */
const NONCE_ATTEMPTS = 3;

/**
 * Sends this SP's `deposit_credential` txs one at a time, with consecutive nonces: the next nonce is kept in memory
 * (read from the chain first, and again after a nonce error) and a deposit is built and checked into the mempool
 * (`broadcast_tx_sync`) only after the previous one's CheckTx answered. Holding the queue only for CheckTx, not for
 * the block, lets many deposits share a block.
 */
export class Depositor {
  readonly #chain: SpendChain;
  readonly #key: Uint8Array;
  readonly #address: Address;
  readonly #log: Logger;
  #nonce: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: { chain: SpendChain; secretKey: Uint8Array; address: Address; log: Logger }) {
    this.#chain = options.chain;
    this.#key = options.secretKey;
    this.#address = options.address;
    this.#log = options.log;
  }

  /** Deposits a spend; throws SP_ERROR_CHAIN_UNAVAILABLE when the chain cannot be reached (nothing recorded). */
  deposit(fields: { zeta: string; value: string; proof: string }): Promise<DepositResult> {
    const run = () => this.#deposit(fields);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #deposit(fields: { zeta: string; value: string; proof: string }): Promise<DepositResult> {
    for (let attempt = 1; ; attempt++) {
      let result: Awaited<ReturnType<SpendChain["broadcastTxSync"]>>;
      try {
        const chainId = await this.#chain.chainId();
        this.#nonce ??= (await this.#chain.account(this.#address)).nonce;
        const tx = buildDepositCredential(this.#key, { chainId, nonce: this.#nonce }, fields);
        result = await this.#chain.broadcastTxSync(tx);
      } catch (cause) {
        // Whether the node took the tx is unknown: read the nonce from the chain before the next deposit.
        this.#nonce = undefined;
        throw new ServiceProviderError("SP_ERROR_CHAIN_UNAVAILABLE", "the chain did not take the deposit", { cause });
      }
      if (result.code === 0) {
        this.#nonce = (this.#nonce ?? 0) + 1;
        return { kind: "accepted", hash: result.hash };
      }
      if (result.code === TX_CODES.CHAIN_ERROR_ZETA_IN_USE) {
        return { kind: "zeta_in_use", hash: result.hash, log: result.log };
      }
      if (result.code === TX_CODES.CHAIN_ERROR_NONCE && attempt < NONCE_ATTEMPTS) {
        // CheckTx names the nonce it expects (committed plus our txs still in the mempool); else read the committed.
        const expected = /expected (\d+)/.exec(result.log)?.[1];
        this.#nonce = expected !== undefined ? Number(expected) : undefined;
        this.#log.debug({ attempt, expected }, "deposit nonce refused, retrying");
        continue;
      }
      if (result.code === TX_CODES.CHAIN_ERROR_NONCE) this.#nonce = undefined;
      return {
        kind: "refused",
        hash: result.hash,
        code: txErrorName(result.code) ?? `code ${result.code}`,
        log: result.log,
      };
    }
  }
}
