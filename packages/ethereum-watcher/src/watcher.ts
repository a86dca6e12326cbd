import { join } from "node:path";
import {
  type CreatedHttpApp,
  createHttpApp,
  daemonVersion,
  isNymError,
  type Logger,
  packageVersion,
  type Service,
} from "@nym-ts/common";
import { Counter, Gauge, Histogram } from "prom-client";
import { backoffDelay } from "./backoff.js";
import { type EthereumWatcherOptions, type ResolvedWatcherOptions, WatcherOptionsSchema } from "./config.js";
import { WatcherError } from "./errors.js";
import { JsonRpcEthereumSource } from "./ethereum.js";
import { WatcherStore } from "./store.js";
import type { EthereumSource, ObservedTransfer, TransferNotifier } from "./types.js";

export interface EthereumWatcherModules {
  log: Logger;
  /** Posts signed `transfer_notification` txs; `createChainNotifier` builds the real one. */
  notifier: TransferNotifier;
  /** Where Ethereum is read from; default a JSON-RPC source on `ethereum.rpcUrl`. */
  source?: EthereumSource;
  /** Service version reported by /health. */
  version?: string;
}

export interface EthereumWatcher extends Service {
  /** `http://host:port` of /health and /metrics once started. */
  readonly httpUrl: string | undefined;
  /** The watcher's database (read it, do not write it). */
  readonly store: WatcherStore;
  /** Resolves after the next completed poll (for tests and tools that must not sleep blindly). */
  polled(): Promise<void>;
}

const SERVICE = "nym-ethereum-watcher";
/** package.json's version + NYM_BUILD_COMMIT, when the caller passes none. */
export const WATCHER_VERSION = daemonVersion(packageVersion(import.meta.url));

/**
 * The Ethereum watcher: polls `eth_getLogs` for NYM Transfer logs into the pipe account up to head - confirmations,
 * records each (txHash, logIndex) once in SQLite together with the scan checkpoint, and hands the new ones to the
 * notifier, retrying failures with backoff. See docs/ethereum-watcher.md.
 */
export function createEthereumWatcher(
  options: EthereumWatcherOptions,
  modules: EthereumWatcherModules,
): EthereumWatcher {
  const config: ResolvedWatcherOptions = WatcherOptionsSchema.parse(options);
  const eth = config.ethereum;
  const log = modules.log.child({ module: "ethereum-watcher" });
  const ownSource = modules.source === undefined;
  const source = modules.source ?? new JsonRpcEthereumSource(eth);
  const store = new WatcherStore(join(config.dataDir, "watcher.sqlite"), {
    chainId: eth.chainId,
    tokenAddress: eth.tokenAddress,
    pipeAccount: eth.pipeAccount,
  });

  let http: CreatedHttpApp | undefined;
  let httpUrl: string | undefined;
  let running = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let pumpTimer: NodeJS.Timeout | undefined;
  let pollLoop: Promise<void> | undefined;
  let pumpLoop: Promise<void> | undefined;
  let wakePump: (() => void) | undefined;
  let wakePoll: (() => void) | undefined;
  let pollFailures = 0;
  let lastPollOkAt = 0;
  let head = -1;
  let notifyFailingSince: number | undefined;
  let pollWaiters: (() => void)[] = [];
  let firstBatch = true;

  const metrics = {
    head: undefined as Gauge | undefined,
    nextBlock: undefined as Gauge | undefined,
    pending: undefined as Gauge | undefined,
    seen: undefined as Counter | undefined,
    notified: undefined as Counter | undefined,
    notifyErrors: undefined as Counter<"reason"> | undefined,
    rejected: undefined as Counter | undefined,
    rpcErrors: undefined as Counter | undefined,
    malformed: undefined as Counter | undefined,
    deepReorgs: undefined as Counter | undefined,
    notifyDuration: undefined as Histogram | undefined,
  };

  function registerMetrics(created: CreatedHttpApp): void {
    const registers = [created.registry];
    const p = "nym_ethereum_watcher_";
    metrics.head = new Gauge({ name: `${p}ethereum_head`, help: "Latest Ethereum block number seen", registers });
    metrics.nextBlock = new Gauge({
      name: `${p}next_block`,
      help: "Next Ethereum block to scan (checkpoint)",
      registers,
    });
    metrics.pending = new Gauge({
      name: `${p}pending_notifications`,
      help: "Transfers seen, not yet notified",
      registers,
    });
    metrics.seen = new Counter({
      name: `${p}transfers_seen_total`,
      help: "Confirmed transfers into the pipe account recorded",
      registers,
    });
    metrics.notified = new Counter({
      name: `${p}notifications_total`,
      help: "Transfers notified to the chain",
      registers,
    });
    metrics.notifyErrors = new Counter({
      name: `${p}notification_errors_total`,
      help: "Failed notification attempts (retried)",
      labelNames: ["reason"] as const,
      registers,
    });
    metrics.rejected = new Counter({
      name: `${p}notifications_rejected_total`,
      help: "Notifications the chain refused for good",
      registers,
    });
    metrics.rpcErrors = new Counter({
      name: `${p}ethereum_rpc_errors_total`,
      help: "Failed polls of the Ethereum node",
      registers,
    });
    metrics.malformed = new Counter({
      name: `${p}malformed_logs_total`,
      help: "eth_getLogs entries rejected as malformed",
      registers,
    });
    metrics.deepReorgs = new Counter({
      name: `${p}deep_reorgs_total`,
      help: "Reorgs deeper than the confirmations",
      registers,
    });
    metrics.notifyDuration = new Histogram({
      name: `${p}notify_duration_seconds`,
      help: "Time to get one batch of notifications committed",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
  }

  /** One poll: check the last scanned block is still canonical, then scan every confirmed block not yet scanned. */
  async function poll(): Promise<void> {
    const current = await source.blockNumber();
    head = current;
    metrics.head?.set(current);
    const safe = current - eth.confirmations;
    let next = store.nextBlock() ?? eth.startBlock;

    const lastHash = store.lastScannedHash();
    if (lastHash !== undefined && next > 0) {
      const canonical = await source.blockHash(next - 1);
      if (canonical !== lastHash) {
        const from = Math.max(eth.startBlock, next - eth.reorgRescanBlocks);
        const alreadyNotified = store.notifiedFrom(from);
        const dropped = store.rewind(from);
        metrics.deepReorgs?.inc();
        log.error(
          { block: next - 1, rescanFrom: from, dropped, alreadyNotified },
          "reorg deeper than the confirmations; scanning again (raise confirmations)",
        );
        next = from;
      }
    }

    while (running && next <= safe) {
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
        wakePump?.();
      }
      next = to + 1;
    }
    metrics.nextBlock?.set(next);
  }

  async function runPollLoop(): Promise<void> {
    while (running) {
      let delay = eth.pollIntervalMs;
      try {
        await poll();
        pollFailures = 0;
        lastPollOkAt = Date.now();
      } catch (error) {
        if (!running) break;
        metrics.rpcErrors?.inc();
        delay = Math.max(
          eth.pollIntervalMs,
          backoffDelay(pollFailures++, eth.pollIntervalMs, config.notify.retryMaxMs),
        );
        log.warn({ err: error, failures: pollFailures, retryInMs: delay }, "ethereum poll failed");
      }
      const waiters = pollWaiters;
      pollWaiters = [];
      for (const resolve of waiters) resolve();
      if (!running) break;
      await new Promise<void>((resolve) => {
        wakePoll = resolve;
        pollTimer = setTimeout(resolve, delay);
      });
    }
  }

  /** Hands due transfers to the notifier, oldest first, until none is due; returns ms until the next is due. */
  async function pump(): Promise<number | undefined> {
    while (running) {
      const now = Date.now();
      const due = store.due(now, config.notify.batchSize);
      metrics.pending?.set(store.pendingCount());
      if (due.length === 0) {
        const later = store.due(Number.MAX_SAFE_INTEGER, 1)[0];
        return later === undefined ? undefined : Math.max(0, later.nextAttemptAt - now);
      }
      const stopTimer = metrics.notifyDuration?.startTimer();
      try {
        await modules.notifier.notify(due, { retry: firstBatch || due.some((t) => t.attempts > 0) });
        firstBatch = false;
        stopTimer?.();
        store.markNotified(due);
        metrics.notified?.inc(due.length);
        notifyFailingSince = undefined;
        log.debug({ count: due.length }, "transfers notified");
      } catch (error) {
        if (error instanceof WatcherError && error.code === "WATCHER_ERROR_NOTIFICATION_REJECTED") {
          await isolateRejected(due);
        } else {
          notifyFailingSince ??= Date.now();
          const attempts = Math.min(...due.map((t) => t.attempts));
          const delay = backoffDelay(attempts, config.notify.retryInitialMs, config.notify.retryMaxMs);
          store.markFailed(due, Date.now() + delay);
          metrics.notifyErrors?.inc({ reason: isNymError(error) ? error.code : "other" });
          log.warn({ err: error, count: due.length, attempts: attempts + 1, retryInMs: delay }, "notification failed");
        }
      }
    }
    return undefined;
  }

  /** A batch was refused: notify its transfers one by one so only the refused ones are set aside. */
  async function isolateRejected(batch: readonly ObservedTransfer[]): Promise<void> {
    for (const transfer of batch) {
      if (!running) return;
      try {
        await modules.notifier.notify([transfer], { retry: true });
        store.markNotified([transfer]);
        metrics.notified?.inc();
      } catch (error) {
        if (error instanceof WatcherError && error.code === "WATCHER_ERROR_NOTIFICATION_REJECTED") {
          store.markRejected(transfer);
          metrics.rejected?.inc();
          log.error({ err: error, txHash: transfer.txHash, logIndex: transfer.logIndex }, "chain refused notification");
        } else {
          const delay = backoffDelay(0, config.notify.retryInitialMs, config.notify.retryMaxMs);
          store.markFailed([transfer], Date.now() + delay);
          metrics.notifyErrors?.inc({ reason: isNymError(error) ? error.code : "other" });
        }
      }
    }
  }

  async function runPumpLoop(): Promise<void> {
    while (running) {
      let wait: number | undefined;
      try {
        wait = await pump();
      } catch (error) {
        // Only the store can throw here (the notifier's errors are handled in pump); keep going after a pause.
        log.error({ err: error }, "notification loop failed");
        wait = config.notify.retryInitialMs;
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        wakePump = resolve;
        if (wait !== undefined) pumpTimer = setTimeout(resolve, wait);
      });
      clearTimeout(pumpTimer);
    }
  }

  return {
    get httpUrl() {
      return httpUrl;
    },
    store,
    polled: () => new Promise<void>((resolve) => pollWaiters.push(resolve)),

    async start() {
      if (running) return;
      http = await createHttpApp({
        log: modules.log,
        service: SERVICE,
        version: modules.version ?? WATCHER_VERSION,
        healthChecks: {
          ethereum: () => {
            const staleAfter = Math.max(30_000, 10 * eth.pollIntervalMs);
            const ok = lastPollOkAt > 0 && Date.now() - lastPollOkAt < staleAfter;
            return { ok, detail: `head ${head}, next block ${store.nextBlock() ?? eth.startBlock}` };
          },
          chain: () => {
            const failingFor = notifyFailingSince === undefined ? 0 : Date.now() - notifyFailingSince;
            return {
              ok: failingFor < Math.max(60_000, 2 * config.notify.retryMaxMs),
              detail: `${store.pendingCount()} pending notifications`,
            };
          },
        },
      });
      registerMetrics(http);
      await http.app.listen({ host: config.http.host, port: config.http.port });
      const address = http.app.server.address();
      if (address !== null && typeof address === "object") {
        httpUrl = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
      }
      running = true;
      pollLoop = runPollLoop();
      pumpLoop = runPumpLoop();
      log.info(
        {
          token: eth.tokenAddress,
          pipe: eth.pipeAccount,
          confirmations: eth.confirmations,
          nextBlock: store.nextBlock() ?? eth.startBlock,
          pending: store.pendingCount(),
          http: httpUrl,
        },
        "watching",
      );
    },

    async stop() {
      const wasRunning = running;
      running = false;
      clearTimeout(pollTimer);
      clearTimeout(pumpTimer);
      wakePoll?.();
      wakePump?.();
      if (wasRunning) await Promise.allSettled([pollLoop, pumpLoop]);
      const waiters = pollWaiters;
      pollWaiters = [];
      for (const resolve of waiters) resolve();
      await http?.app.close();
      http = undefined;
      if (ownSource && source instanceof JsonRpcEthereumSource) source.destroy();
      store.close();
    },
  };
}
