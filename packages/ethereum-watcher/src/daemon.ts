import { connectChain, hexToBytes } from "@nym-ts/chain-client";
import { isNymError, type Logger, logConfigSection, readKeyFileText, type Service } from "@nym-ts/common";
import { z } from "zod";
import { ChainNotifier } from "./chain-notifier.js";
import { EthereumSection, HttpSection, NotifySection } from "./config.js";
import { createEthereumWatcher, type EthereumWatcher } from "./watcher.js";

/** The `nym-ethereum-watcher` config file (TOML or JSON), env `NYM_ETHEREUM_WATCHER_*`, and flags. */
export const DaemonConfigSchema = z
  .object({
    ethereum: EthereumSection.describe("The Ethereum side"),
    chain: z
      .object({
        rpcUrl: z.url().describe("CometBFT RPC of a Nym validator, http://host:26657"),
        keyFile: z.string().min(1).describe("File (mode 0600) holding the watcher's secp256k1 key as hex"),
        commitTimeoutMs: z.int().min(100).default(30_000).describe("Longest wait for a notification to commit"),
      })
      .strict()
      .describe("The Nym chain the notifications go to"),
    dataDir: z.string().min(1).describe("Directory of the watcher's SQLite file"),
    notify: NotifySection.default(NotifySection.parse({})).describe("Notification batching and retries"),
    http: HttpSection.default(HttpSection.parse({})).describe("/health and /metrics"),
    log: logConfigSection,
  })
  .strict();

export type DaemonConfig = z.output<typeof DaemonConfigSchema>;

/**
 * The daemon as a service: connects the chain client, reads the key, checks the chain's genesis names this watcher
 * and this pipe account, then runs the watcher.
 */
export function createWatcherDaemon(
  config: DaemonConfig,
  modules: { log: Logger; version?: string },
): Service & {
  readonly watcher: EthereumWatcher | undefined;
} {
  let watcher: EthereumWatcher | undefined;
  let closeChain: (() => void) | undefined;
  return {
    get watcher() {
      return watcher;
    },
    async start() {
      const secretKey = hexToBytes(readKeyFileText(config.chain.keyFile), "watcher key");
      const chain = await connectChain({ rpcUrl: config.chain.rpcUrl, log: modules.log });
      closeChain = () => chain.close();
      const notifier = new ChainNotifier({
        chain,
        secretKey,
        log: modules.log,
        commitTimeoutMs: config.chain.commitTimeoutMs,
      });
      try {
        await notifier.checkMembership(config.ethereum.pipeAccount);
      } catch (error) {
        if (isNymError(error, "WATCHER_ERROR_NOTIFICATION_REJECTED")) throw error;
        // The chain may simply not be up yet: the watcher retries its notifications until it is.
        modules.log.warn({ err: error }, "cannot read the chain's watcher set yet");
      }
      modules.log.info({ address: notifier.address }, "watcher identity");
      watcher = createEthereumWatcher(
        { ethereum: config.ethereum, dataDir: config.dataDir, notify: config.notify, http: config.http },
        { log: modules.log, notifier, version: modules.version },
      );
      await watcher.start();
    },
    async stop() {
      await watcher?.stop();
      closeChain?.();
    },
  };
}
