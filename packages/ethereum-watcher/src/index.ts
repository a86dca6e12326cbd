/**
 * @nym-ts/ethereum-watcher: the bridge from NYM paid on Ethereum to Nym account balances on the chain.
 *
 * A watcher polls `eth_getLogs` for ERC20 Transfer logs of the NYM token into the pipe account, up to
 * head - `confirmations`; records each (txHash, logIndex) once in SQLite with its scan checkpoint, so a restart
 * neither misses nor repeats a transfer; and posts a signed `transfer_notification` per transfer to the chain, which
 * credits the payer once `watcherThreshold` distinct watchers agree. `payIntoNym` (the client side, which lives in
 * @nym-ts/contracts) is re-exported here for compatibility.
 *
 * Design: docs/ethereum-watcher.md; its place in the credential flow: docs/architecture.md.
 *
 * @example
 * const watcher = createEthereumWatcher(
 *   { ethereum: { rpcUrl, chainId: 31337, tokenAddress, pipeAccount, confirmations: 2 }, dataDir },
 *   { log, notifier },
 * );
 * await watcher.start();
 */

export { backoffDelay } from "./backoff.js";
export { ChainNotifier, type ChainNotifierOptions } from "./chain-notifier.js";
export {
  EthereumSection,
  type EthereumWatcherOptions,
  HttpSection,
  NotifySection,
  type ResolvedWatcherOptions,
  WatcherOptionsSchema,
} from "./config.js";
export { createWatcherDaemon, type DaemonConfig, DaemonConfigSchema } from "./daemon.js";
export { WatcherError, type WatcherErrorCode } from "./errors.js";
export { JsonRpcEthereumSource, type JsonRpcSourceOptions, parseTransferLog } from "./ethereum.js";
export { initCommand } from "./init.js";
export { WatcherMetrics } from "./metrics.js";
export { NotificationPump } from "./notification-pump.js";
export { type PayIntoNymOptions, type Payment, type PaymentProgress, payIntoNym } from "./pay.js";
export { TransferPoller, type TransferPollerOptions } from "./poller.js";
export { type PendingTransfer, type StoreIdentity, WatcherStore } from "./store.js";
export type { EthereumSource, NotifyContext, ObservedTransfer, TransferLogBatch, TransferNotifier } from "./types.js";
export { createEthereumWatcher, type EthereumWatcher, type EthereumWatcherModules } from "./watcher.js";
