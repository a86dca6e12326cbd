import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an Ethereum address, 0x and 40 hex digits");

export const EthereumSection = z
  .object({
    rpcUrl: z.url().describe("Ethereum JSON-RPC endpoint (http or https)"),
    chainId: z.int().positive().describe("Ethereum chain id the endpoint must serve (31337 for anvil)"),
    tokenAddress: address.describe("Address of the NYM ERC20 contract"),
    pipeAccount: address.describe("Address whose incoming NYM transfers are credited on the Nym chain"),
    confirmations: z
      .int()
      .min(0)
      .max(1_000)
      .default(12)
      .describe("A transfer is acted on once head - confirmations has reached its block"),
    startBlock: z
      .int()
      .min(0)
      .default(0)
      .describe("First block to scan when the database is new (the token's deploy block)"),
    pollIntervalMs: z.int().min(10).max(600_000).default(1_000).describe("Time between two polls of the head"),
    maxBlockRange: z.int().min(1).max(100_000).default(2_000).describe("Most blocks asked of eth_getLogs at once"),
    reorgRescanBlocks: z
      .int()
      .min(1)
      .max(100_000)
      .default(64)
      .describe("How far back to scan again after a reorg deeper than the confirmations"),
  })
  .strict();

export const NotifySection = z
  .object({
    batchSize: z.int().min(1).max(1_000).default(50).describe("Most transfers handed to the chain client at once"),
    retryInitialMs: z.int().min(1).default(500).describe("First delay before retrying a failed notification"),
    retryMaxMs: z.int().min(1).default(30_000).describe("Longest delay between two retries"),
  })
  .strict();

export const HttpSection = z
  .object({
    host: z.string().default("127.0.0.1").describe("Address /health and /metrics listen on"),
    port: z.int().min(0).max(65_535).default(9_464).describe("Port of /health and /metrics; 0 picks a free one"),
  })
  .strict();

/** What `createEthereumWatcher` needs, whatever made it (config file, test). */
export const WatcherOptionsSchema = z
  .object({
    ethereum: EthereumSection.describe("The Ethereum side: endpoint, token, pipe account, confirmations"),
    dataDir: z.string().min(1).describe("Directory of the watcher's SQLite file (watcher.sqlite)"),
    notify: NotifySection.default(NotifySection.parse({})).describe("Notification batching and retries"),
    http: HttpSection.default(HttpSection.parse({})).describe("The operations endpoint"),
  })
  .strict();

export type EthereumWatcherOptions = z.input<typeof WatcherOptionsSchema>;
export type ResolvedWatcherOptions = z.output<typeof WatcherOptionsSchema>;
