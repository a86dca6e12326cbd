import { logConfigSection } from "@nym-ts/common";
import { DEFAULT_SPHINX_VERSION, SPHINX_VERSIONS } from "@nym-ts/mixnet";
import { observeConfigSection } from "@nym-ts/mixnet-node";
import { z } from "zod";

/**
 * nym-gateway configuration; defaults < file < NYM_GATEWAY_* env < flags. Keys live in `<storage.dataDir>` (0600),
 * written by `nym-gateway init`.
 */
export const GatewayConfig = z
  .strictObject({
    gateway: z
      .strictObject({
        listenHost: z.string().min(1).default("127.0.0.1").describe("Listen address; 0.0.0.0 in a container"),
        port: z
          .int()
          .min(0)
          .max(65535)
          .default(1790)
          .describe("TCP port for mix nodes and clients (libp2p; 0 picks a free one)"),
        announceHost: z.string().min(1).optional().describe("Host registered with the directory; listenHost if absent"),
      })
      .describe("Node"),
    directory: z
      .strictObject({
        url: z.url().describe("Directory base URL"),
        registerIntervalMs: z.int().min(100).default(20_000).describe("Presence renewal period"),
        topologyRefreshMs: z.int().min(100).default(30_000).describe("How often the topology is re-fetched"),
      })
      .describe("Directory"),
    mixing: z
      .strictObject({
        maxDelayMs: z.int().min(0).default(10_000).describe("Packets asking for a longer hold are dropped"),
        delayQueueCapacity: z.int().min(1).default(20_000).describe("Packets held for their delay at once"),
        maxQueuedFramesPerLink: z.int().min(1).default(2000).describe("Frames waiting for one neighbour at most"),
      })
      .prefault({})
      .describe("Mixing (gateways forward mix loops that cross them)"),
    sphinx: z
      .strictObject({
        version: z
          .literal(SPHINX_VERSIONS)
          .default(DEFAULT_SPHINX_VERSION)
          .describe(
            "Sphinx format of the packets this gateway creates (none today: it sends no loops of its own): 258, 259 (nym's current release; default) or 260. Packets of all three are processed whatever this says",
          ),
      })
      .prefault({})
      .describe("Sphinx packet format"),
    mailbox: z
      .strictObject({
        maxMessagesPerClient: z.int().min(1).default(10_000).describe("Stored packets per client; more are dropped"),
        maxPull: z.int().min(1).max(1000).default(100).describe("Most messages one pull returns (nym: 100)"),
        pushBatch: z.int().min(1).max(25).default(16).describe("Messages per pushed frame (frames stay < 64 KiB)"),
        maxClients: z
          .int()
          .min(1)
          .default(100_000)
          .describe("Registered clients at most; more registrations are refused"),
        clientPacketsPerSecond: z
          .number()
          .min(1)
          .default(1000)
          .describe(
            "Packets one client may send into the mixnet per second (token bucket, burst 2x); more are dropped",
          ),
      })
      .prefault({})
      .describe("Client mailboxes"),
    http: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Serve GET /health and Prometheus GET /metrics"),
        host: z.string().min(1).default("127.0.0.1").describe("HTTP listen address; 0.0.0.0 in a container"),
        port: z.int().min(0).max(65535).default(8001).describe("HTTP port (0 picks a free one)"),
      })
      .prefault({})
      .describe("Operator HTTP endpoints"),
    storage: z
      .strictObject({ dataDir: z.string().min(1).describe("Holds the key files, mailboxes.sqlite, replay.sqlite") })
      .describe("Storage"),
    observe: observeConfigSection,
    log: logConfigSection,
  })
  .describe("nym-gateway");
export type GatewayConfig = z.output<typeof GatewayConfig>;
export type GatewayConfigInput = z.input<typeof GatewayConfig>;
