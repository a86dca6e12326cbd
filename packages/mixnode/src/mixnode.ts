import { daemonVersion, type Logger, packageVersion, type Service } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import { createNymSphinx, MAX_MIX_FRAME_BYTES, type MixTransport, type SphinxCodec } from "@nym-ts/mixnet";
import {
  type MixCore,
  NodeRuntime,
  nodeNetworkOptions,
  nodeRuntimeModules,
  observeOptions,
  startNodeHttp,
} from "@nym-ts/mixnet-node";
import { MixnodeConfig, type MixnodeConfigInput } from "./config.js";

/** package.json's version + NYM_BUILD_COMMIT: registered with the directory, reported by /health. */
export const MIXNODE_VERSION = daemonVersion(packageVersion(import.meta.url));

export interface MixnodeModules {
  log: Logger;
  /** Tests may hand in another transport, Sphinx codec or directory client. */
  transport?: MixTransport;
  sphinx?: SphinxCodec;
  directory?: DirectoryClient;
}

export interface Mixnode extends Service {
  readonly identityKey: string;
  readonly sphinxKey: string;
  /** The packet engine: counters, loop statistics, queue depth. */
  readonly core: MixCore;
  readonly transport: MixTransport;
  refreshTopology(): Promise<void>;
  /** `http://host:port` of /health and /metrics once started (undefined when disabled). */
  httpUrl(): string | undefined;
}

/**
 * A Loopix mix node: registers its layer and keys with the directory, processes Sphinx packets from the previous
 * layer (replays and malformed packets dropped and counted), holds each for its delay in one timer heap, forwards it
 * to the next hop named in the header (only to nodes in the topology), sends its own loops at lambdaM, and reports
 * signed metrics.
 */
export function createMixnode(options: MixnodeConfigInput, modules: MixnodeModules): Mixnode {
  const config = MixnodeConfig.parse(options);
  const log = modules.log.child({ module: "mixnode" });
  const runtime = new NodeRuntime(
    {
      ...nodeNetworkOptions({
        listen: config.mixnode,
        directory: config.directory,
        dataDir: config.storage.dataDir,
        maxQueuedFramesPerLink: config.mixing.maxQueuedFramesPerLink,
      }),
      metricsIntervalMs: config.directory.metricsIntervalMs,
      countersLogIntervalMs: config.mixing.countersLogIntervalMs,
      // Only MIX_PACKET frames come to a mixnode: nothing longer than the largest Sphinx packet is buffered.
      maxFrameBytes: MAX_MIX_FRAME_BYTES,
      mix: {
        layer: config.mixnode.layer,
        maxDelayMs: config.mixing.maxDelayMs,
        delayQueueCapacity: config.mixing.delayQueueCapacity,
        loopRate: config.mixing.loopRate,
        loopMeanDelayMs: config.mixing.loopMeanDelayMs,
        payloadSize: config.mixing.payloadSize,
        loopTimeoutMs: config.mixing.loopTimeoutMs,
        badFrames: {
          limit: config.mixing.badFramesPerPeer,
          windowMs: config.mixing.badFrameWindowMs,
          banMs: config.mixing.badPeerBanMs,
        },
      },
      observe: observeOptions(config.observe, config.storage.dataDir),
      registration: (k, announced) => ({
        kind: "mixnode",
        payload: { ...k, host: announced, layer: config.mixnode.layer, version: MIXNODE_VERSION },
      }),
    },
    nodeRuntimeModules(log, modules, createNymSphinx({ version: config.sphinx.version })),
  );
  runtime.transport.onFrame((frame, from) => {
    if (runtime.core.handleFrame(frame, from)) return;
    // Only MIX_PACKET frames come to a mixnode: anything else counts against the neighbour that sent it.
    runtime.core.drop("unexpected_frame");
    runtime.core.penalize(from);
  });
  let http: Awaited<ReturnType<typeof startNodeHttp>> | undefined;
  return {
    identityKey: runtime.identityKey,
    sphinxKey: runtime.sphinxPublicKey,
    core: runtime.core,
    transport: runtime.transport,
    refreshTopology: () => runtime.refreshTopology(),
    httpUrl: () => http?.url,
    async start() {
      await runtime.start();
      if (config.http.enabled) {
        http = await startNodeHttp({
          // The root logger: the HTTP app adds its own `module` binding (one `module` key per log line).
          log: modules.log,
          service: "nym-mixnode",
          version: MIXNODE_VERSION,
          host: config.http.host,
          port: config.http.port,
          core: runtime.core,
          transport: runtime.transport,
        });
      }
      log.info(
        { identityKey: runtime.identityKey, layer: config.mixnode.layer, announce: runtime.announce },
        "mixnode running",
      );
    },
    async stop() {
      await http?.app.close();
      http = undefined;
      await runtime.stop();
    },
  };
}
