import { logConfigSection } from "@nym-ts/common";
import { DEFAULT_PAYLOAD_SIZE, DEFAULT_SPHINX_VERSION, PayloadSize, SPHINX_VERSIONS } from "@nym-ts/mixnet";
import { observeConfigSection } from "@nym-ts/mixnet-node";
import { z } from "zod";

/**
 * nym-mixnode configuration: one strict section per concern; defaults < file < NYM_MIXNODE_* env < flags. Secrets
 * are never in the config: the keys live in `<storage.dataDir>/identity.key` and `sphinx.key` (0600), written by
 * `nym-mixnode init`.
 */
export const MixnodeConfig = z
  .strictObject({
    mixnode: z
      .strictObject({
        layer: z.int().min(1).max(3).describe("Mix layer, 1..3"),
        listenHost: z.string().min(1).default("127.0.0.1").describe("Listen address; 0.0.0.0 in a container"),
        port: z
          .int()
          .min(0)
          .max(65535)
          .default(1789)
          .describe("Mixnet TCP port (nym's default is 1789; 0 picks a free one)"),
        announceHost: z
          .string()
          .min(1)
          .optional()
          .describe("Host others reach this node at (registered with the directory); listenHost when absent"),
      })
      .describe("Node"),
    directory: z
      .strictObject({
        url: z.url().describe("Directory base URL, e.g. http://127.0.0.1:8080"),
        registerIntervalMs: z.int().min(100).default(20_000).describe("Presence renewal period (TTL is longer)"),
        topologyRefreshMs: z.int().min(100).default(30_000).describe("How often the topology is re-fetched"),
        metricsIntervalMs: z.int().min(100).default(10_000).describe("How often signed metrics are reported"),
      })
      .describe("Directory"),
    mixing: z
      .strictObject({
        maxDelayMs: z.int().min(0).default(10_000).describe("Packets asking for a longer hold are dropped (nym: 10 s)"),
        delayQueueCapacity: z
          .int()
          .min(1)
          .default(20_000)
          .describe("Packets held for their delay at once; more are dropped (back-pressure: 20k x 2.4 KB = 48 MB)"),
        maxQueuedFramesPerLink: z
          .int()
          .min(1)
          .default(2000)
          .describe("Frames waiting for one neighbour before new ones are dropped (nym: 2000)"),
        badFramesPerPeer: z
          .int()
          .min(1)
          .default(100)
          .describe(
            "Malformed packets and unexpected frames one neighbour may send per badFrameWindowMs before its link is " +
              "refused for badPeerBanMs (an authenticated neighbour never sends them honestly)",
          ),
        badFrameWindowMs: z.int().min(100).default(10_000).describe("Window of badFramesPerPeer"),
        badPeerBanMs: z
          .int()
          .min(0)
          .default(30_000)
          .describe("How long a neighbour over its bad-frame budget is refused"),
        countersLogIntervalMs: z
          .int()
          .min(0)
          .default(60_000)
          .describe("How often one info line logs the packet counters (in, out, dropped by cause, queue); 0 turns off"),
        loopRate: z.number().min(0).default(0.5).describe("Own loop cover packets per second (lambdaM); 0 turns off"),
        loopMeanDelayMs: z.number().min(0).default(50).describe("Mean per-hop delay of own loops, ms"),
        loopTimeoutMs: z.int().min(100).default(30_000).describe("An own loop not back by then counts as lost"),
        payloadSize: z
          .int()
          .min(33)
          .max(PayloadSize.extended32)
          .default(DEFAULT_PAYLOAD_SIZE)
          .describe("Sphinx payload size of own loops; must match the clients' so loops look like real packets"),
      })
      .prefault({})
      .describe("Mixing"),
    sphinx: z
      .strictObject({
        version: z
          .literal(SPHINX_VERSIONS)
          .default(DEFAULT_SPHINX_VERSION)
          .describe(
            "Sphinx format of the packets this node creates (its own loops): 258, 259 (nym's current release; default) or 260. Packets of all three are processed whatever this says",
          ),
      })
      .prefault({})
      .describe("Sphinx packet format"),
    http: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Serve GET /health and Prometheus GET /metrics"),
        host: z.string().min(1).default("127.0.0.1").describe("HTTP listen address; 0.0.0.0 in a container"),
        port: z.int().min(0).max(65535).default(8000).describe("HTTP port (0 picks a free one)"),
      })
      .prefault({})
      .describe("Operator HTTP endpoints"),
    storage: z
      .strictObject({ dataDir: z.string().min(1).describe("Holds the key files and replay.sqlite") })
      .describe("Storage"),
    observe: observeConfigSection,
    log: logConfigSection,
  })
  .describe("nym-mixnode");
export type MixnodeConfig = z.output<typeof MixnodeConfig>;
export type MixnodeConfigInput = z.input<typeof MixnodeConfig>;
