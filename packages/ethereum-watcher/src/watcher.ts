import { join } from "node:path";
import {
  type CreatedHttpApp,
  createHttpApp,
  daemonVersion,
  type Logger,
  packageVersion,
  type Service,
} from "@nym-ts/common";
import { type EthereumWatcherOptions, type ResolvedWatcherOptions, WatcherOptionsSchema } from "./config.js";
import { JsonRpcEthereumSource } from "./ethereum.js";
import { WatcherMetrics } from "./metrics.js";
import { NotificationPump } from "./notification-pump.js";
import { TransferPoller } from "./poller.js";
import { WatcherStore } from "./store.js";
import type { EthereumSource, TransferNotifier } from "./types.js";

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
 *
 * It wires three parts over one store: `TransferPoller` (poller.ts: Ethereum polling, confirmations, reorgs),
 * `NotificationPump` (notification-pump.ts: batches to the notifier, retries, refused transfers) and the HTTP app
 * (/health from both, /metrics from `WatcherMetrics`).
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
  const metrics = new WatcherMetrics();
  const pump = new NotificationPump(config.notify, { notifier: modules.notifier, store, metrics, log });
  const poller = new TransferPoller(
    { ethereum: eth, retryMaxMs: config.notify.retryMaxMs },
    { source, store, metrics, log, onTransfers: () => pump.wake() },
  );

  let http: CreatedHttpApp | undefined;
  let httpUrl: string | undefined;
  let running = false;

  return {
    get httpUrl() {
      return httpUrl;
    },
    store,
    polled: () => poller.polled(),

    async start() {
      if (running) return;
      http = await createHttpApp({
        log: modules.log,
        service: SERVICE,
        version: modules.version ?? WATCHER_VERSION,
        healthChecks: {
          ethereum: () => {
            const staleAfter = Math.max(30_000, 10 * eth.pollIntervalMs);
            const ok = poller.lastPollOkAt > 0 && Date.now() - poller.lastPollOkAt < staleAfter;
            return { ok, detail: `head ${poller.head}, next block ${store.nextBlock() ?? eth.startBlock}` };
          },
          chain: () => {
            const failingFor = pump.failingSince === undefined ? 0 : Date.now() - pump.failingSince;
            return {
              ok: failingFor < Math.max(60_000, 2 * config.notify.retryMaxMs),
              detail: `${store.pendingCount()} pending notifications`,
            };
          },
        },
      });
      metrics.register(http.registry);
      await http.app.listen({ host: config.http.host, port: config.http.port });
      const address = http.app.server.address();
      if (address !== null && typeof address === "object") {
        httpUrl = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
      }
      running = true;
      poller.start();
      pump.start();
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
      running = false;
      await Promise.allSettled([poller.stop(), pump.stop()]);
      await http?.app.close();
      http = undefined;
      if (ownSource && source instanceof JsonRpcEthereumSource) source.destroy();
      store.close();
    },
  };
}
