import {
  addressFromSecretKey,
  buildTransferNotification,
  type ChainClient,
  TX_CODES,
  txErrorName,
} from "@nym-ts/chain-client";
import type { Logger } from "@nym-ts/common";
import { WatcherError } from "./errors.js";
import type { NotifyContext, ObservedTransfer, TransferNotifier } from "./types.js";

/** Codes after which the same notification can never succeed: the transfer is set aside. */
const PERMANENT = new Set<number>([
  TX_CODES.CHAIN_ERROR_ENCODING,
  TX_CODES.CHAIN_ERROR_SCHEMA,
  TX_CODES.CHAIN_ERROR_SIGNATURE,
  TX_CODES.CHAIN_ERROR_TX_TOO_LARGE,
  TX_CODES.CHAIN_ERROR_BALANCE_OVERFLOW,
]);

export interface ChainNotifierOptions {
  chain: ChainClient;
  /** The watcher's secp256k1 key (32 bytes); its address must be in the chain's watcher set. */
  secretKey: Uint8Array;
  log?: Logger;
  /** Longest wait for the broadcast txs to be committed (default 30 s). */
  commitTimeoutMs?: number;
  /** How often the account nonce is read while waiting for commits (default 100 ms). */
  pollIntervalMs?: number;
  /**
   * Pipeline fresh batches with `broadcast_tx_async` (default true). Off, or for any retried batch, every tx is
   * checked in with `broadcast_tx_sync` and its CheckTx answer read before the next is sent.
   */
  pipeline?: boolean;
  /** With pipelining: how long the nonce may stand still before the batch is handed back for a checked retry. */
  stallMs?: number;
}

/**
 * Posts signed `transfer_notification` txs through the chain client. A batch is pipelined: the account's committed
 * nonce is read once, every tx is checked into the mempool with consecutive nonces (`broadcast_tx_sync`, so CheckTx
 * answers at once), then the notifier waits until the nonce has moved past the batch and confirms from the ledger
 * that this watcher's vote is recorded (for the last transfer of the batch). A vote the chain already has (CHAIN_ERROR_DUPLICATE_VOTE,
 * e.g. after a crash between posting and recording it) counts as done, so re-notifying is always safe.
 */
export class ChainNotifier implements TransferNotifier {
  readonly address: string;
  readonly #chain: ChainClient;
  readonly #key: Uint8Array;
  readonly #log: Logger | undefined;
  readonly #commitTimeoutMs: number;
  readonly #pollMs: number;
  readonly #pipeline: boolean;
  readonly #stallMs: number;

  constructor(options: ChainNotifierOptions) {
    if (!(options.secretKey instanceof Uint8Array) || options.secretKey.length !== 32) {
      throw new TypeError("secretKey: expected 32 bytes");
    }
    this.#chain = options.chain;
    this.#key = options.secretKey;
    this.address = addressFromSecretKey(options.secretKey);
    this.#log = options.log?.child({ module: "chain-notifier" });
    this.#commitTimeoutMs = options.commitTimeoutMs ?? 30_000;
    this.#pollMs = options.pollIntervalMs ?? 100;
    this.#pipeline = options.pipeline ?? true;
    this.#stallMs = options.stallMs ?? 3_000;
  }

  /**
   * Checks the chain's genesis agrees with the watcher: the pipe account is the same and this key is a watcher.
   * Throws `WATCHER_ERROR_NOTIFICATION_REJECTED` when it does not (no vote could ever count).
   */
  async checkMembership(pipeAccount: string): Promise<void> {
    const params = await this.#chain.params();
    if (params.pipeAccount.toLowerCase() !== pipeAccount.toLowerCase()) {
      throw new WatcherError(
        "WATCHER_ERROR_NOTIFICATION_REJECTED",
        `the chain's pipe account is ${params.pipeAccount}, the watcher's config says ${pipeAccount}`,
        {},
      );
    }
    if (!params.watchers.members.includes(this.address as `0x${string}`)) {
      throw new WatcherError(
        "WATCHER_ERROR_NOTIFICATION_REJECTED",
        `${this.address} is not in the chain's watcher set`,
        { address: this.address },
      );
    }
  }

  async notify(transfers: readonly ObservedTransfer[], context: NotifyContext = { retry: true }): Promise<void> {
    if (transfers.length === 0) return;
    if (this.#pipeline && !context.retry) return this.#notifyPipelined(transfers);
    return this.#notifyChecked(transfers);
  }

  /**
   * The fast path for transfers never tried before (so this watcher cannot have voted on them): every tx goes out
   * in ordered `broadcast_tx_async` batches, without waiting for CheckTx, then the committed nonce is awaited. A tx
   * refused by CheckTx leaves a gap that stops the nonce; when it stands still for `stallMs` the batch is handed back as a
   * failure and the watcher retries it on the checked path, which reads each CheckTx answer.
   */
  async #notifyPipelined(transfers: readonly ObservedTransfer[]): Promise<void> {
    const chainId = await this.#chain.chainId();
    const start = (await this.#chain.account(this.address)).nonce;
    const txs = transfers.map((t, i) =>
      buildTransferNotification(
        this.#key,
        { chainId, nonce: start + i },
        { ethTxHash: t.txHash, logIndex: t.logIndex, address: t.from, amount: t.amount },
      ),
    );
    const refused = (await this.#chain.broadcastTxsAsync(txs)).find((answer) => answer.error !== undefined);
    if (refused) {
      throw new WatcherError(
        "WATCHER_ERROR_RPC_RESPONSE",
        `broadcast_tx_async refused: ${String(refused.error).slice(0, 200)}`,
        {},
      );
    }
    const nonce = start + txs.length;
    const deadline = Date.now() + this.#commitTimeoutMs;
    let seen = start;
    let movedAt = Date.now();
    for (;;) {
      const current = (await this.#chain.account(this.address)).nonce;
      if (current >= nonce) break;
      if (current > seen) {
        seen = current;
        movedAt = Date.now();
      }
      if (Date.now() - movedAt > this.#stallMs || Date.now() > deadline) {
        throw new WatcherError("WATCHER_ERROR_TIMEOUT", "pipelined notifications stalled; retrying them checked", {
          committed: current - start,
          posted: transfers.length,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
    await this.#checkRecorded(transfers);
  }

  /** The checked path: one `broadcast_tx_sync` at a time, reading each CheckTx answer. */
  async #notifyChecked(transfers: readonly ObservedTransfer[]): Promise<void> {
    const chainId = await this.#chain.chainId();
    let nonce = (await this.#chain.account(this.address)).nonce;
    const posted: ObservedTransfer[] = [];
    for (const t of transfers) {
      const tx = buildTransferNotification(
        this.#key,
        { chainId, nonce },
        { ethTxHash: t.txHash, logIndex: t.logIndex, address: t.from, amount: t.amount },
      );
      const result = await this.#chain.broadcastTxSync(tx);
      if (result.code === 0) {
        nonce++;
        posted.push(t);
        continue;
      }
      if (result.code === TX_CODES.CHAIN_ERROR_DUPLICATE_VOTE) continue;
      const name = txErrorName(result.code) ?? `code ${result.code}`;
      if (PERMANENT.has(result.code) && transfers.length === 1) {
        throw new WatcherError("WATCHER_ERROR_NOTIFICATION_REJECTED", `chain refused the notification: ${name}`, {
          code: name,
          log: result.log,
        });
      }
      if (PERMANENT.has(result.code)) {
        // The watcher isolates the refused transfer by notifying one at a time; first let what was posted land.
        await this.#awaitCommitted(posted, nonce);
        throw new WatcherError("WATCHER_ERROR_NOTIFICATION_REJECTED", `chain refused a notification: ${name}`, {
          code: name,
        });
      }
      await this.#awaitCommitted(posted, nonce);
      throw new Error(`chain did not accept the notification (${name}): ${result.log}`);
    }
    await this.#awaitCommitted(posted, nonce);
  }

  /** Waits until the account nonce reaches `nonce`, then checks each posted vote is in the ledger. */
  async #awaitCommitted(posted: readonly ObservedTransfer[], nonce: number): Promise<void> {
    if (posted.length === 0) return;
    const deadline = Date.now() + this.#commitTimeoutMs;
    while ((await this.#chain.account(this.address)).nonce < nonce) {
      if (Date.now() > deadline) {
        throw new WatcherError("WATCHER_ERROR_TIMEOUT", "notifications were not committed in time", {
          count: posted.length,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
    // The nonce has moved past every posted tx, so each was executed. A vote that passed CheckTx is refused in a
    // block only if the ledger changed in between in a way no vote of ours can cause; one query for the last vote
    // catches a chain that systematically refuses them (a rule change) without a query per transfer.
    await this.#checkRecorded(posted);
    this.#log?.debug({ count: posted.length }, "notifications committed");
  }

  async #checkRecorded(posted: readonly ObservedTransfer[]): Promise<void> {
    const last = posted[posted.length - 1]!;
    const view = await this.#chain.transfer(last.txHash, last.logIndex);
    if (!view?.voters.includes(this.address as `0x${string}`)) {
      throw new Error(`vote on ${last.txHash}/${last.logIndex} was committed but not recorded; will retry`);
    }
  }
}
