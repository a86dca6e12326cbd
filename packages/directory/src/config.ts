import { homedir } from "node:os";
import { join } from "node:path";
import { logConfigSection } from "@nym-ts/common";
import { z } from "zod";

const HttpSection = z
  .strictObject({
    host: z.string().min(1).default("127.0.0.1").describe("Listen address; 0.0.0.0 in a container"),
    port: z.int().min(0).max(65535).default(8080).describe("Listen port (0 picks a free one)"),
    bodyLimitBytes: z.int().min(1024).max(1_048_576).default(16_384).describe("Larger request bodies get 413"),
    trustProxy: z.boolean().default(false).describe("Trust X-Forwarded-For; only behind a proxy you control"),
  })
  .describe("HTTP server");

const StorageSection = z
  .strictObject({
    path: z
      .string()
      .min(1)
      // Per user, not relative to wherever the daemon was started (a `pnpm --filter` run starts inside the package).
      .default(join(homedir(), ".nym-ts", "directory", "directory.sqlite"))
      .describe("SQLite file (created if missing); ~/.nym-ts/directory/directory.sqlite by default"),
  })
  .describe("Storage");

const PresenceSection = z
  .strictObject({
    ttlSeconds: z.int().min(1).max(86_400).default(60).describe("A registration lapses this long after its renewal"),
    timestampWindowSeconds: z
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe("Signed timestamps further than this from the directory's clock are rejected"),
    sweepIntervalSeconds: z
      .int()
      .min(1)
      .max(3600)
      .default(5)
      .describe("How often expired registrations and old metrics are deleted"),
  })
  .describe("Presence");

const MetricsSection = z
  .strictObject({
    retentionSeconds: z
      .int()
      .min(10)
      .max(7 * 86_400)
      .default(600)
      .describe("Reports older than this are deleted"),
    maxReportsPerNode: z.int().min(1).max(100_000).default(120).describe("At most this many reports kept per node"),
    windowSeconds: z.int().min(1).max(86_400).default(60).describe("Summaries and totals cover this recent window"),
    reportIntervalSeconds: z.int().min(1).max(3600).default(10).describe("Interval suggested to reporting mixnodes"),
    maxPacketsPerSecond: z
      .int()
      .min(1)
      .max(10_000_000)
      .default(20_000)
      .describe(
        "Most packets one mixnode can physically receive, send or drop per second (a node mixes ~5,000/s per core). " +
          "Each report's counters must fit this rate over its interval, measured by the directory's clock since the " +
          "node's previous report (or its registration): larger reports are refused with 422",
      ),
    reportGraceMs: z
      .int()
      .min(0)
      .max(60_000)
      .default(1000)
      .describe("Added to the measured interval for clock and network jitter when bounding a report"),
    peerGraceSeconds: z
      .int()
      .min(0)
      .max(86_400)
      .default(120)
      .describe(
        "A report may name as a neighbour a mixnode or gateway that left the topology this recently (the reporter's " +
          "topology lags the directory's); any other key, and the reporter's own, is refused with 400",
      ),
  })
  .refine((m) => m.windowSeconds <= m.retentionSeconds, {
    message: "windowSeconds must not exceed retentionSeconds",
    path: ["windowSeconds"],
  })
  .describe("Metrics");

const RateLimitSection = z
  .strictObject({
    writesPerAddressPerMinute: z
      .int()
      .min(1)
      .default(600)
      .describe("Registrations, deregistrations and metric reports per client address, per route and minute"),
    readsPerAddressPerMinute: z
      .int()
      .min(0)
      .default(0)
      .describe("Reads per client address, per route and minute; 0 turns the read limit off"),
    writesPerKeyPerMinute: z
      .int()
      .min(1)
      .default(60)
      .describe("Signed writes per identity key and minute, counted after the signature checks out"),
  })
  .describe("Rate limits");

const ExplorerSection = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Serve the explorer page at /explorer"),
    assetsDir: z
      .string()
      .min(1)
      .optional()
      .describe("The built page (index.html and assets/); default: the @nym-ts/explorer package's dist/web"),
    chainRpcUrl: z
      .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
      .optional()
      .describe("A CometBFT RPC the page may read besides the registered validators' (e.g. a sentry node)"),
    rpcTimeoutMs: z.int().min(100).max(60_000).default(3000).describe("Timeout of each proxied RPC call"),
  })
  .describe("Explorer page");

export const DirectoryConfig = z
  .strictObject({
    http: HttpSection.prefault({}),
    storage: StorageSection.prefault({}),
    presence: PresenceSection.prefault({}),
    metrics: MetricsSection.prefault({}),
    rateLimit: RateLimitSection.prefault({}),
    explorer: ExplorerSection.prefault({}),
    log: logConfigSection,
  })
  .describe("nym-directory configuration");
export type DirectoryConfig = z.infer<typeof DirectoryConfig>;
/** What callers may pass: every field has a default. */
export type DirectoryConfigInput = z.input<typeof DirectoryConfig>;
