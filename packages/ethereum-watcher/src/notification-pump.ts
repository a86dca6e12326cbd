import { isNymError, type Logger } from "@nym-ts/common";
import { backoffDelay } from "./backoff.js";
import type { ResolvedWatcherOptions } from "./config.js";
import { WatcherError } from "./errors.js";
import type { WatcherMetrics } from "./metrics.js";
import type { WatcherStore } from "./store.js";
import type { ObservedTransfer, TransferNotifier } from "./types.js";
import { WakeTimer } from "./wake-timer.js";

/**
 * The chain side of the watcher: hands recorded transfers that are due to the notifier, oldest first, in batches of
 * `batchSize`; a failed batch is retried with backoff, a refused one is split so only the refused transfers are set
 * aside. Sleeps until the next retry is due or the poller records new transfers (`wake`). The loop never throws.
 */
export class NotificationPump {
  /** Since when notifications have been failing (undefined while they succeed). */
  failingSince: number | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  /** The first batch after a start may repeat votes a crash left unrecorded: the notifier must check. */
  #firstBatch = true;
  readonly #timer = new WakeTimer();

  constructor(
    private readonly options: ResolvedWatcherOptions["notify"],
    private readonly deps: {
      notifier: TransferNotifier;
      store: WatcherStore;
      metrics: WatcherMetrics;
      log: Logger;
    },
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#timer.cancel();
    await this.#loop;
    this.#loop = undefined;
  }

  /** New transfers were recorded: notify them now. */
  wake(): void {
    this.#timer.wake();
  }

  /** Hands due transfers to the notifier, oldest first, until none is due; returns ms until the next is due. */
  async pump(): Promise<number | undefined> {
    const { store, metrics, log, notifier } = this.deps;
    while (this.#running) {
      const now = Date.now();
      const due = store.due(now, this.options.batchSize);
      metrics.pending?.set(store.pendingCount());
      if (due.length === 0) {
        const later = store.due(Number.MAX_SAFE_INTEGER, 1)[0];
        return later === undefined ? undefined : Math.max(0, later.nextAttemptAt - now);
      }
      const stopTimer = metrics.notifyDuration?.startTimer();
      try {
        await notifier.notify(due, { retry: this.#firstBatch || due.some((t) => t.attempts > 0) });
        this.#firstBatch = false;
        stopTimer?.();
        store.markNotified(due);
        metrics.notified?.inc(due.length);
        this.failingSince = undefined;
        log.debug({ count: due.length }, "transfers notified");
      } catch (error) {
        if (error instanceof WatcherError && error.code === "WATCHER_ERROR_NOTIFICATION_REJECTED") {
          await this.#isolateRejected(due);
        } else {
          this.failingSince ??= Date.now();
          const attempts = Math.min(...due.map((t) => t.attempts));
          const delay = backoffDelay(attempts, this.options.retryInitialMs, this.options.retryMaxMs);
          store.markFailed(due, Date.now() + delay);
          metrics.notifyErrors?.inc({ reason: isNymError(error) ? error.code : "other" });
          log.warn({ err: error, count: due.length, attempts: attempts + 1, retryInMs: delay }, "notification failed");
        }
      }
    }
    return undefined;
  }

  /** A batch was refused: notify its transfers one by one so only the refused ones are set aside. */
  async #isolateRejected(batch: readonly ObservedTransfer[]): Promise<void> {
    const { store, metrics, log, notifier } = this.deps;
    for (const transfer of batch) {
      if (!this.#running) return;
      try {
        await notifier.notify([transfer], { retry: true });
        store.markNotified([transfer]);
        metrics.notified?.inc();
      } catch (error) {
        if (error instanceof WatcherError && error.code === "WATCHER_ERROR_NOTIFICATION_REJECTED") {
          store.markRejected(transfer);
          metrics.rejected?.inc();
          log.error({ err: error, txHash: transfer.txHash, logIndex: transfer.logIndex }, "chain refused notification");
        } else {
          const delay = backoffDelay(0, this.options.retryInitialMs, this.options.retryMaxMs);
          store.markFailed([transfer], Date.now() + delay);
          metrics.notifyErrors?.inc({ reason: isNymError(error) ? error.code : "other" });
        }
      }
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let wait: number | undefined;
      try {
        wait = await this.pump();
      } catch (error) {
        // Only the store can throw here (the notifier's errors are handled in pump); keep going after a pause.
        this.deps.log.error({ err: error }, "notification loop failed");
        wait = this.options.retryInitialMs;
      }
      if (!this.#running) break;
      await this.#timer.pause(wait);
    }
  }
}
