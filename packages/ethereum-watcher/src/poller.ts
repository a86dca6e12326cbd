import type { Logger } from "@nym-ts/common";
import { backoffDelay } from "./backoff.js";
import type { ResolvedWatcherOptions } from "./config.js";
import { WatcherError } from "./errors.js";
import type { WatcherMetrics } from "./metrics.js";
import type { WatcherStore } from "./store.js";
import type { EthereumSource } from "./types.js";
import { WakeTimer } from "./wake-timer.js";

export interface TransferPollerOptions {
  ethereum: ResolvedWatcherOptions["ethereum"];
  /** Longest pause after repeated failed polls. */
  retryMaxMs: number;
}

/**
 * The Ethereum side of the watcher: every `pollIntervalMs`, reads the head, checks the last scanned block is still
 * canonical (rewinding `reorgRescanBlocks` when a reorg went deeper than the confirmations), then scans every
 * confirmed block not scanned yet (head - confirmations) in ranges of at most `maxBlockRange`, recording new
 * transfers and the checkpoint in one store transaction. Failed polls back off; the loop never throws.
 */
export class TransferPoller {
  /** Latest Ethereum head seen (-1 before the first poll). */
  head = -1;
  /** When the last poll succeeded (ms since the epoch; 0 before). */
  lastPollOkAt = 0;
  #running = false;
  /** Set by stop: a scan in progress ends after its current range. */
  #stopping = false;
  #loop: Promise<void> | undefined;
  #failures = 0;
  #waiters: (() => void)[] = [];
  readonly #timer = new WakeTimer();

  constructor(
    private readonly options: TransferPollerOptions,
    private readonly deps: {
      source: EthereumSource;
      store: WatcherStore;
      metrics: WatcherMetrics;
      log: Logger;
      /** New transfers were recorded: the notification side has work. */
      onTransfers: () => void;
    },
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    this.#timer.cancel();
    await this.#loop;
    this.#loop = undefined;
    this.#releaseWaiters();
  }

  /** Resolves after the next completed poll (successful or not), or at stop. */
  polled(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /**
   * One poll: check the last scanned block is still canonical, then scan every confirmed block not yet scanned.
   * The loop calls it every interval; a tool or test may call it directly (without `start`). Throws what the source
   * throws.
   */
  async poll(): Promise<void> {
    const { source, store, metrics, log } = this.deps;
    const eth = this.options.ethereum;
    const current = await source.blockNumber();
    this.head = current;
    metrics.head?.set(current);
    const safe = current - eth.confirmations;
    let next = await this.#checkCanonical(store.nextBlock() ?? eth.startBlock);

    while (!this.#stopping && next <= safe) {
      const to = Math.min(safe, next + eth.maxBlockRange - 1);
      const batch = await source.transferLogs(next, to);
      const toHash = await source.blockHash(to);
      if (toHash === undefined) {
        throw new WatcherError("WATCHER_ERROR_RPC_RESPONSE", "node lost a block below its head", { block: to });
      }
      if (batch.malformed > 0) {
        metrics.malformed?.inc(batch.malformed);
        log.warn({ fromBlock: next, toBlock: to, malformed: batch.malformed }, "malformed transfer logs skipped");
      }
      const fresh = store.commitRange(batch.transfers, to + 1, toHash);
      if (fresh > 0) {
        metrics.seen?.inc(fresh);
        log.debug({ fromBlock: next, toBlock: to, fresh }, "transfers recorded");
        this.deps.onTransfers();
      }
      next = to + 1;
    }
    metrics.nextBlock?.set(next);
  }

  /**
   * Reorg handling: when the block below `next` is no longer the one scanned, the reorg went deeper than the
   * confirmations; the last `reorgRescanBlocks` are dropped and scanned again. Returns where scanning goes on.
   */
  async #checkCanonical(next: number): Promise<number> {
    const { source, store, metrics, log } = this.deps;
    const eth = this.options.ethereum;
    const lastHash = store.lastScannedHash();
    if (lastHash === undefined || next <= 0) return next;
    const canonical = await source.blockHash(next - 1);
    if (canonical === lastHash) return next;
    const from = Math.max(eth.startBlock, next - eth.reorgRescanBlocks);
    const alreadyNotified = store.notifiedFrom(from);
    const dropped = store.rewind(from);
    metrics.deepReorgs?.inc();
    log.error(
      { block: next - 1, rescanFrom: from, dropped, alreadyNotified },
      "reorg deeper than the confirmations; scanning again (raise confirmations)",
    );
    return from;
  }

  async #run(): Promise<void> {
    const interval = this.options.ethereum.pollIntervalMs;
    while (this.#running) {
      let delay = interval;
      try {
        await this.poll();
        this.#failures = 0;
        this.lastPollOkAt = Date.now();
      } catch (error) {
        if (!this.#running) break;
        this.deps.metrics.rpcErrors?.inc();
        delay = Math.max(interval, backoffDelay(this.#failures++, interval, this.options.retryMaxMs));
        this.deps.log.warn({ err: error, failures: this.#failures, retryInMs: delay }, "ethereum poll failed");
      }
      this.#releaseWaiters();
      if (!this.#running) break;
      await this.#timer.pause(delay);
    }
  }

  #releaseWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
