import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Logger, NymError, readKeyFile, writeKeyFile } from "@nym-ts/common";
import {
  createDirectoryClient,
  type DirectoryClient,
  type Topology as DirectoryTopology,
  ed25519SignerFromSeed,
} from "@nym-ts/directory-client";
import type { MixTransport, SphinxCodec } from "@nym-ts/mixnet";
import { generateX25519 } from "@nym-ts/mixnet";
import { multiaddrToHostPort, type SkippedNode, topologyFromDirectory } from "./directory-topology.js";
import { ed25519PublicFromSeed } from "./identity.js";
import { createLibp2pTransport } from "./libp2p-transport.js";
import { MixCore, type MixCoreOptions } from "./mix-core.js";
import { type ObserveOptions, TraceRecorder } from "./observe.js";
import { ReplayCache } from "./replay-cache.js";

/**
 * What a mixnode and a gateway share around the packet engine: key files, the libp2p transport, the replay cache,
 * directory registration (renewed), topology refresh and signed metrics reports.
 */

export const IDENTITY_KEY_FILE = "identity.key";
export const SPHINX_KEY_FILE = "sphinx.key";

export interface NodeKeys {
  identitySeed: Uint8Array;
  sphinxSecret: Uint8Array;
}

/** Creates a node's two secret key files (0600) in `dir`; refuses to overwrite existing ones. */
export function initNodeKeys(dir: string): { identityKey: string; sphinxKey: string } {
  const identity = new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const sphinx = generateX25519();
  writeKeyFile(join(dir, IDENTITY_KEY_FILE), identity);
  writeKeyFile(join(dir, SPHINX_KEY_FILE), sphinx.secretKey);
  return {
    identityKey: Buffer.from(ed25519PublicFromSeed(identity)).toString("hex"),
    sphinxKey: Buffer.from(sphinx.publicKey).toString("hex"),
  };
}

/**
 * The `init` command of `nym-mixnode` and `nym-gateway` (for `runDaemonMain`): creates `--storage.dataDir` (0700)
 * with both key files and prints the public keys as JSON.
 */
export const initKeysCommand = {
  describe: "write identity.key and sphinx.key (0600) into --storage.dataDir and print the public keys",
  run({ flags }: { flags: Record<string, string> }): void {
    const dir = flags["storage.dataDir"];
    if (!dir) throw new Error("init needs --storage.dataDir DIR");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    console.log(JSON.stringify(initNodeKeys(dir)));
  },
};

/** Reads both key files (refusing ones readable by others). */
export function readNodeKeys(dir: string): NodeKeys {
  const identitySeed = new Uint8Array(readKeyFile(join(dir, IDENTITY_KEY_FILE)));
  const sphinxSecret = new Uint8Array(readKeyFile(join(dir, SPHINX_KEY_FILE)));
  if (identitySeed.length !== 32 || sphinxSecret.length !== 32) {
    throw new NymError("NODE_ERROR_BAD_KEY", `key files in ${dir} must hold 32 raw bytes each`);
  }
  return { identitySeed, sphinxSecret };
}

export interface NodeRuntimeOptions {
  keys: NodeKeys;
  /** Where to listen, e.g. `/ip4/0.0.0.0/tcp/1789`. */
  listen: string;
  /** host:port others reach us at (registered with the directory); the first listen address when absent. */
  announce?: string | undefined;
  directoryUrl: string;
  /** Registration renewal period (the directory's TTL is longer). */
  registerIntervalMs: number;
  topologyRefreshMs: number;
  metricsIntervalMs: number;
  /** How often the packet counters are logged at info (one line); 0 turns the line off. Default one minute. */
  countersLogIntervalMs?: number;
  /** SQLite file of the replay-tag cache. */
  replayPath: string;
  maxQueuedFramesPerLink: number;
  /** Longest frame a neighbour may send (a longer length prefix tears its link down); the transport's 64 KiB if absent. */
  maxFrameBytes?: number;
  mix: MixCoreOptions;
  /** Record what a global passive adversary sees (`[observe]`); off when undefined. */
  observe?: ObserveOptions | undefined;
  /** What to register: called with the hex keys. */
  registration: (
    keys: { identityKey: string; sphinxKey: string },
    announce: string,
  ) =>
    | { kind: "mixnode"; payload: Parameters<DirectoryClient["register"]>[1] }
    | { kind: "gateway"; payload: Parameters<DirectoryClient["register"]>[1] };
}

export interface NodeRuntimeModules {
  log: Logger;
  sphinx: SphinxCodec;
  /** Another transport (tests); libp2p otherwise. */
  transport?: MixTransport;
  directory?: DirectoryClient;
}

/** The config sections a mixnode and a gateway share, as their configs spell them. */
export interface NodeNetworkConfig {
  listen: { listenHost: string; announceHost?: string | undefined; port: number };
  directory: { url: string; registerIntervalMs: number; topologyRefreshMs: number };
  dataDir: string;
  maxQueuedFramesPerLink: number;
}

/**
 * The part of `NodeRuntimeOptions` every node derives the same way from its config: the keys read from the data
 * directory, the listen multiaddr, the announced host:port (none for port 0, which listens on a free port and
 * announces what it got), the directory timings and the replay cache file.
 */
export function nodeNetworkOptions(
  config: NodeNetworkConfig,
): Pick<
  NodeRuntimeOptions,
  | "keys"
  | "listen"
  | "announce"
  | "directoryUrl"
  | "registerIntervalMs"
  | "topologyRefreshMs"
  | "replayPath"
  | "maxQueuedFramesPerLink"
> {
  const { listenHost, announceHost, port } = config.listen;
  return {
    keys: readNodeKeys(config.dataDir),
    listen: `/ip4/${listenHost}/tcp/${port}`,
    announce: port === 0 ? undefined : `${announceHost ?? listenHost}:${port}`,
    directoryUrl: config.directory.url,
    registerIntervalMs: config.directory.registerIntervalMs,
    topologyRefreshMs: config.directory.topologyRefreshMs,
    replayPath: join(config.dataDir, "replay.sqlite"),
    maxQueuedFramesPerLink: config.maxQueuedFramesPerLink,
  };
}

/** `NodeRuntimeModules` from a daemon's modules: the sphinx codec given, or nym's; optional transport and client. */
export function nodeRuntimeModules(
  log: Logger,
  modules: {
    sphinx?: SphinxCodec | undefined;
    transport?: MixTransport | undefined;
    directory?: DirectoryClient | undefined;
  },
  defaultSphinx: SphinxCodec,
): NodeRuntimeModules {
  return {
    log,
    sphinx: modules.sphinx ?? defaultSphinx,
    ...(modules.transport ? { transport: modules.transport } : {}),
    ...(modules.directory ? { directory: modules.directory } : {}),
  };
}

/** The shortest time between two topology fetches asked for by packets to unknown next hops. */
export const TOPOLOGY_ON_DEMAND_GAP_MS = 1000;

export class NodeRuntime {
  readonly core: MixCore;
  readonly transport: MixTransport;
  readonly directory: DirectoryClient;
  readonly identityKey: string;
  readonly sphinxPublicKey: string;
  private replay: ReplayCache | undefined;
  private recorder: TraceRecorder | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private etag: string | undefined;
  private readonly log: Logger;
  private readonly signer;
  private directoryTopology: DirectoryTopology | undefined;
  /** When the last topology fetch started, and the fetch asked for by a packet to an unknown hop (one at a time). */
  private lastRefreshAt = 0;
  private refreshOnDemand: NodeJS.Timeout | undefined;
  private running = false;
  onTopology: (topology: DirectoryTopology) => void = () => {};

  constructor(
    private readonly options: NodeRuntimeOptions,
    modules: NodeRuntimeModules,
  ) {
    this.log = modules.log;
    const sphinxKey = modules.sphinx.nodeKey(options.keys.sphinxSecret);
    this.sphinxPublicKey = Buffer.from(sphinxKey.publicKey).toString("hex");
    this.transport =
      modules.transport ??
      createLibp2pTransport({
        identitySeed: options.keys.identitySeed,
        listen: [options.listen],
        maxQueuedFrames: options.maxQueuedFramesPerLink,
        ...(options.maxFrameBytes !== undefined ? { maxFrameBytes: options.maxFrameBytes } : {}),
      });
    this.identityKey = Buffer.from(this.transport.localId).toString("hex");
    this.directory = modules.directory ?? createDirectoryClient({ baseUrl: options.directoryUrl, timeoutMs: 5000 });
    this.signer = ed25519SignerFromSeed(options.keys.identitySeed);
    // The replay cache is opened in start(); until then the core refuses nothing, but it receives nothing either.
    const replayProxy = {
      has: (tag: Uint8Array) => this.replay?.has(tag) ?? false,
      add: (tag: Uint8Array) => this.replay?.add(tag),
    };
    this.core = new MixCore(options.mix, {
      log: modules.log,
      transport: this.transport,
      sphinx: modules.sphinx,
      sphinxKey,
      replay: replayProxy,
    });
    // A packet for a node that registered after our last fetch (clients may route through it already): fetch the
    // topology now rather than at the next tick (topologyRefreshMs, 30 s by default), while the core holds it.
    this.core.onUnknownNextHop = () => this.refreshSoon();
  }

  /**
   * Fetches the topology as soon as `TOPOLOGY_ON_DEMAND_GAP_MS` has passed since the last fetch began: packets to
   * unknown hops (which anyone can make for any hop) cost at most one directory request per gap, a 304 when nothing
   * changed.
   */
  refreshSoon(): void {
    // One at a time; and none before start() has fetched the topology itself, or after stop().
    if (this.refreshOnDemand !== undefined || !this.running) return;
    const wait = Math.max(0, this.lastRefreshAt + TOPOLOGY_ON_DEMAND_GAP_MS - Date.now());
    this.refreshOnDemand = setTimeout(() => {
      this.refreshTopology()
        .catch((error: unknown) => this.core.errors.record("runtime.topology-on-demand", error))
        .finally(() => {
          this.refreshOnDemand = undefined;
        });
    }, wait);
    this.refreshOnDemand.unref();
  }

  /** host:port registered with the directory (known after start when listening on port 0). */
  get announce(): string {
    if (this.options.announce !== undefined) return this.options.announce;
    const first = this.transport.listenAddresses()[0];
    if (first === undefined) throw new NymError("NODE_ERROR_NOT_LISTENING", "transport has no listen address");
    return multiaddrToHostPort(first);
  }

  get topology(): DirectoryTopology | undefined {
    return this.directoryTopology;
  }

  async start(): Promise<void> {
    this.replay = new ReplayCache({ path: this.options.replayPath, epoch: this.sphinxPublicKey });
    if (this.replay.loaded > 0) this.log.info({ tags: this.replay.loaded }, "replay tags restored");
    if (this.options.observe) {
      const role = this.options.mix.layer;
      this.recorder = new TraceRecorder({ ...this.options.observe, self: this.transport.localId, role }, this.log);
      this.core.observer = this.recorder;
      this.log.info({ path: this.options.observe.path }, "traffic observation on");
    }
    await this.transport.start();
    await this.register();
    await this.refreshTopology();
    this.core.start();
    this.running = true;
    this.every(this.options.registerIntervalMs, () => this.register(), "runtime.register");
    this.every(this.options.topologyRefreshMs, () => this.refreshTopology(), "runtime.topology");
    this.every(this.options.metricsIntervalMs, () => this.reportMetrics(), "runtime.metrics");
    const countersEvery = this.options.countersLogIntervalMs ?? 60_000;
    if (countersEvery > 0) this.every(countersEvery, async () => this.logCounters(), "runtime.counters");
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    clearTimeout(this.refreshOnDemand);
    this.refreshOnDemand = undefined;
    this.core.stop();
    await this.transport.stop();
    this.core.observer = undefined;
    this.recorder?.close();
    this.recorder = undefined;
    this.replay?.close();
    this.replay = undefined;
  }

  /** Fetches the topology now (tests and start-up call it; a timer calls it periodically). */
  async refreshTopology(): Promise<void> {
    this.lastRefreshAt = Date.now();
    try {
      const result = await this.directory.getTopology(this.etag);
      if (!result.modified) return;
      this.etag = result.etag;
      this.directoryTopology = result.topology;
      const skipped: SkippedNode[] = [];
      this.core.setTopology(topologyFromDirectory(result.topology, (node) => skipped.push(node)));
      if (skipped.length > 0) {
        this.core.counters.topologySkipped += skipped.length;
        this.log.warn({ skipped }, "topology nodes with unusable keys or addresses skipped");
      }
      this.onTopology(result.topology);
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, "topology refresh failed");
    }
  }

  /**
   * One info line with the packet counters since start (in, out, dropped by cause, delay queue depth, loops, links),
   * so an operator tailing the log sees the node work without scraping /metrics.
   */
  logCounters(): void {
    const { received, forwarded, dropped, loopsSent, loopsReturned, peersRefused, topologySkipped } =
      this.core.counters;
    const link = this.transport.stats();
    this.log.info(
      {
        received,
        forwarded,
        dropped: { ...dropped },
        queued: this.core.queued,
        loopsSent,
        loopsReturned,
        peersRefused,
        topologySkipped,
        linksOpen: link.linksOpen,
        linkFramesDropped: link.framesDropped,
        callbackErrors: this.core.errors.total,
      },
      "packet counters",
    );
  }

  private async register(): Promise<void> {
    const reg = this.options.registration(
      { identityKey: this.identityKey, sphinxKey: this.sphinxPublicKey },
      this.announce,
    );
    try {
      // biome-ignore lint/suspicious/noExplicitAny: the payload matches its kind by construction of `registration`
      await this.directory.register(reg.kind, reg.payload as any, this.signer);
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, "directory registration failed");
    }
  }

  private async reportMetrics(): Promise<void> {
    const interval = this.core.takeInterval();
    if (this.options.mix.layer === "gateway") return; // the directory takes mixnode metrics only
    try {
      await this.directory.reportMixnodeMetrics(
        { identityKey: this.identityKey, ...interval, intervalMs: this.options.metricsIntervalMs },
        this.signer,
      );
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, "metrics report failed");
    }
  }

  /** Runs `task` every `ms`, one run at a time; what a run throws or rejects with is caught, counted and logged. */
  private every(ms: number, task: () => Promise<void>, site: string): void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      let run: Promise<void>;
      try {
        run = task();
      } catch (error) {
        run = Promise.reject(error);
      }
      run
        .catch((error: unknown) => this.core.errors.record(site, error))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
