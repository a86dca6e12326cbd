/** One ERC20 Transfer into the pipe account, as read from a confirmed Ethereum block. */
export interface ObservedTransfer {
  /** 0x-prefixed, 32 bytes, lowercase. */
  txHash: string;
  logIndex: number;
  blockNumber: number;
  /** 0x-prefixed, 32 bytes, lowercase. */
  blockHash: string;
  /** The paying Ethereum address (checksummed): the Nym account that gets credited. */
  from: string;
  /** Base units (uNYM), positive. */
  amount: bigint;
}

/**
 * What a watcher does with a confirmed transfer: post a signed `transfer_notification` to the chain. Kept this small
 * so tests can hand in an in-memory ledger and the daemon the real chain client.
 *
 * `notify` resolves once every transfer in the batch is either recorded by the chain (a committed vote) or known to
 * need no vote any more (this watcher already voted, or the transfer is already credited). It throws
 * `WatcherError("WATCHER_ERROR_NOTIFICATION_REJECTED")` for a vote the chain refuses for good (not retried), and
 * anything else for failures worth retrying (network, mempool full, timeouts).
 */
export interface TransferNotifier {
  notify(transfers: readonly ObservedTransfer[], context?: NotifyContext): Promise<void>;
}

export interface NotifyContext {
  /**
   * True when this watcher may already have notified some of these transfers: the batch failed before, or it is the
   * first batch since the watcher started (a crash may have come between posting and recording). A notifier can
   * take a faster path when it is false.
   */
  retry: boolean;
}

/** Where the watcher reads Ethereum from; an ethers JSON-RPC implementation is in `ethereum.ts`. */
export interface EthereumSource {
  blockNumber(): Promise<number>;
  /** Hash of the canonical block at `height`, or undefined when the node has no such block. */
  blockHash(height: number): Promise<string | undefined>;
  /** Transfer logs of `token` whose `to` is `pipeAccount`, in blocks `[fromBlock, toBlock]`, validated. */
  transferLogs(fromBlock: number, toBlock: number): Promise<TransferLogBatch>;
}

export interface TransferLogBatch {
  transfers: ObservedTransfer[];
  /** Logs in the answer that were not well-formed transfers into the pipe account; skipped and counted. */
  malformed: number;
}
