import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, type Logger } from "@nym-ts/common";
import { createDirectory, type Directory } from "@nym-ts/directory";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { createGateway, type Gateway } from "@nym-ts/gateway";
import { hostPortToMultiaddr, initNodeKeys } from "@nym-ts/mixnet-node";
import { createMixnode, type Mixnode, type MixnodeConfigInput } from "@nym-ts/mixnode";

/** Mixing settings every mixnode of the network gets (the mixnode config's `mixing` section). */
export type LoopbackMixing = NonNullable<MixnodeConfigInput["mixing"]>;

export interface LoopbackMixnetOptions {
  /** Mix layers 1..n (default 3; clients route through all three, so fewer only suits node-level tests). */
  layers?: number;
  /** Mixnodes in each layer (default 1). */
  mixnodesPerLayer?: number;
  /** Gateways (default 1; 0 when the test brings its own final hop). */
  gateways?: number;
  /**
   * Where keys, configs and databases go (`<dir>/mix-<layer>-<i>`, `<dir>/gw-<i>`, `<dir>/directory.sqlite`). Default:
   * a fresh temporary directory, removed by `stop()`; a given directory is left in place.
   */
  dir?: string;
  /**
   * Which mixnodes run as child processes (so a test can SIGKILL one, or a bench can measure one) instead of in this
   * process: "none" (default), "all", or a list of layers whose first node runs as a process.
   */
  processes?: "none" | "all" | number[];
  /** The command of a mixnode process; default `nym-mixnode run --config <file>` from the mixnode sources via tsx. */
  mixnodeCommand?: (configPath: string) => { command: string; args: string[] };
  /**
   * Delays and cover traffic of every mixnode. Default: no own loops (loopRate 0), loopMeanDelayMs 2, loopTimeoutMs
   * 2000; the node defaults otherwise (maxDelayMs 10 s). Client delays are the client's own (its traffic options).
   */
  mixing?: LoopbackMixing;
  /** Directory periods of every node (fast defaults: register 2 s, topology 1 s, metrics 1 s). */
  directoryTiming?: { registerIntervalMs?: number; topologyRefreshMs?: number; metricsIntervalMs?: number };
  /** How long to wait for every node to be in the directory's topology after start (default 90 s). */
  registerTimeoutMs?: number;
  /** Every mixnode and gateway records what a global passive adversary sees (`observe.enabled`; docs/privacy.md). */
  observe?: boolean;
  /** Serve each mixnode's /health and /metrics on a free port of its own (default false). */
  mixnodeHttp?: boolean;
  /** Log of the in-process nodes and the directory (default silent); processes log at `processLogLevel`. */
  log?: Logger;
  /** Where a mixnode process's stdout (its log) goes: "ignore" (default) or "inherit"; stderr is always inherited. */
  processOutput?: "ignore" | "inherit";
  /** Log level of mixnode processes (default "warn"). */
  processLogLevel?: NonNullable<MixnodeConfigInput["log"]>["level"];
  /**
   * Called once the directory runs and every mixnode has its keys and config, before any mixnode starts: a bench
   * builds its packets here (so building them does not compete with the nodes), or registers a final hop of its own.
   */
  beforeMixnodesStart?: (plan: { directory: Directory; directoryUrl: string; nodes: LoopbackMixnode[] }) => unknown;
}

/** One mixnode of the network, in this process or a child process alike. */
export interface LoopbackMixnode {
  layer: number;
  /** Position in its layer, from 0. */
  index: number;
  /** Hex public keys. */
  identityKey: string;
  sphinxKey: string;
  dataDir: string;
  configPath: string;
  /** The /metrics port with `mixnodeHttp`. */
  httpPort: number | undefined;
  /** Its mixnet multiaddr, known once the network has started. */
  address: string;
  /** Set for an in-process node. */
  mixnode: Mixnode | undefined;
  /** Set for a child-process node. */
  child: ChildProcess | undefined;
}

/** A mixnode running as its own process (src/bin.ts), so a test can SIGKILL it. */
export interface MixnodeProcess {
  identityKey: string;
  layer: number;
  child: ChildProcess;
}

export interface LoopbackMixnet {
  dir: string;
  directory: Directory;
  directoryUrl: string;
  /** Every mixnode, by layer then index. */
  nodes: LoopbackMixnode[];
  /** The in-process mixnodes. */
  mixnodes: Mixnode[];
  /** The mixnodes running as child processes. */
  processes: MixnodeProcess[];
  gateways: Gateway[];
  /** Restarts gateway i on the same port and data directory (its mailboxes and replay tags are on disk). */
  restartGateway(i: number): Promise<void>;
  /** Makes every in-process node fetch the topology now (processes refresh on their own period). */
  refreshAll(): Promise<void>;
  /** Stops everything; `kill` SIGKILLs the processes at once instead of SIGTERM first. */
  stop(options?: { kill?: boolean }): Promise<void>;
}

const silent = createLogger({ name: "loopback-mixnet", level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The mixnode binary from the workspace: its sources through tsx (testkit runs beside the mixnode package). */
export function mixnodeSourceCommand(configPath: string): { command: string; args: string[] } {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const bin = join(here, "../../mixnode/src/bin.ts");
  if (!existsSync(bin)) throw new Error(`mixnode sources not found at ${bin}`);
  return {
    command: process.execPath,
    args: ["--conditions=@nym-ts/source", "--import", "tsx", bin, "run", "--config", configPath],
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A loopback mixnet on 127.0.0.1: a directory, `mixnodesPerLayer` mixnodes in each layer (in this process or as
 * child processes) and `gateways` gateways, all registered and in each other's topology when this resolves.
 *
 * @example
 * const net = await startLoopbackMixnet({ mixnodesPerLayer: 2, gateways: 2, processes: [2] });
 * const client = new MixClient({ ..., gateway: net.gateways[0].identityKey, directoryUrl: net.directoryUrl }, { log });
 * await net.stop();
 */
export async function startLoopbackMixnet(options: LoopbackMixnetOptions = {}): Promise<LoopbackMixnet> {
  const layers = options.layers ?? 3;
  const perLayer = options.mixnodesPerLayer ?? 1;
  const gatewayCount = options.gateways ?? 1;
  if (!Number.isInteger(layers) || layers < 1 || layers > 3) throw new RangeError("layers must be 1..3");
  if (!Number.isInteger(perLayer) || perLayer < 1) throw new RangeError("mixnodesPerLayer must be >= 1");
  if (!Number.isInteger(gatewayCount) || gatewayCount < 0) throw new RangeError("gateways must be >= 0");
  const log = options.log ?? silent;
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "loopback-mixnet-"));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const asProcess = (layer: number, index: number): boolean => {
    const p = options.processes ?? "none";
    if (p === "all") return true;
    if (p === "none") return false;
    return index === 0 && p.includes(layer);
  };
  const command = options.mixnodeCommand ?? mixnodeSourceCommand;

  const directory = createDirectory(
    {
      http: { port: 0 },
      storage: { path: join(dir, "directory.sqlite") },
      rateLimit: { writesPerKeyPerMinute: 100_000, writesPerAddressPerMinute: 1_000_000 },
    },
    { log },
  );
  await directory.start();
  const directoryUrl = directory.url();
  const timing = {
    url: directoryUrl,
    registerIntervalMs: options.directoryTiming?.registerIntervalMs ?? 2000,
    topologyRefreshMs: options.directoryTiming?.topologyRefreshMs ?? 1000,
  };
  const metricsIntervalMs = options.directoryTiming?.metricsIntervalMs ?? 1000;
  const mixing: LoopbackMixing = { loopRate: 0, loopMeanDelayMs: 2, loopTimeoutMs: 2000, ...options.mixing };

  const nodes: LoopbackMixnode[] = [];
  const configs = new Map<LoopbackMixnode, MixnodeConfigInput>();
  const mixnodes: Mixnode[] = [];
  const processes: MixnodeProcess[] = [];
  const gateways: Gateway[] = [];
  const gatewayDirs: string[] = [];
  const gatewayPorts: number[] = [];
  const freshDir = (name: string): string => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    return d;
  };

  let stopped = false;
  const stop = async (stopOptions: { kill?: boolean } = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const running = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    const exited = running.map((p) => new Promise((r) => p.child.once("exit", r)));
    for (const p of running) p.child.kill(stopOptions.kill ? "SIGKILL" : "SIGTERM");
    await Promise.race([Promise.all(exited), sleep(5000)]);
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await Promise.allSettled([...mixnodes, ...gateways].map((n) => n.stop()));
    await directory.stop();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    // Keys and configs of every mixnode first.
    for (let layer = 1; layer <= layers; layer++) {
      for (let index = 0; index < perLayer; index++) {
        const dataDir = freshDir(`mix-${layer}-${index}`);
        const keys = initNodeKeys(dataDir);
        const httpPort = options.mixnodeHttp ? await freePort() : undefined;
        const config: MixnodeConfigInput = {
          mixnode: { layer, port: 0 },
          directory: { ...timing, metricsIntervalMs },
          mixing,
          storage: { dataDir },
          http: httpPort === undefined ? { enabled: false } : { port: httpPort },
          log: { level: options.processLogLevel ?? "warn" },
          ...(options.observe ? { observe: { enabled: true } } : {}),
        };
        const configPath = join(dataDir, "config.json");
        writeFileSync(configPath, JSON.stringify(config));
        const node: LoopbackMixnode = {
          layer,
          index,
          ...keys,
          dataDir,
          configPath,
          httpPort,
          address: "",
          mixnode: undefined,
          child: undefined,
        };
        nodes.push(node);
        configs.set(node, config);
      }
    }
    await options.beforeMixnodesStart?.({ directory, directoryUrl, nodes });

    for (const node of nodes) {
      if (asProcess(node.layer, node.index)) {
        const { command: cmd, args } = command(node.configPath);
        const child = spawn(cmd, args, { stdio: ["ignore", options.processOutput ?? "ignore", "inherit"] });
        node.child = child;
        processes.push({ identityKey: node.identityKey, layer: node.layer, child });
        continue;
      }
      const m = createMixnode(configs.get(node) as MixnodeConfigInput, { log });
      await m.start();
      node.mixnode = m;
      mixnodes.push(m);
    }

    for (let i = 0; i < gatewayCount; i++) {
      const d = freshDir(`gw-${i}`);
      initNodeKeys(d);
      gatewayDirs.push(d);
      const g = createGateway(
        {
          gateway: { port: 0 },
          directory: timing,
          storage: { dataDir: d },
          http: { enabled: false },
          ...(options.observe ? { observe: { enabled: true } } : {}),
        },
        { log },
      );
      await g.start();
      gatewayPorts.push(Number(g.transport.listenAddresses()[0]?.split("/").at(-1)));
      gateways.push(g);
    }

    // Every node registered (processes take a few seconds to boot): the topology has them all.
    const client = createDirectoryClient({ baseUrl: directoryUrl });
    // 90 s like startTestnet's start timeouts: mixnode processes boot from sources in seconds on a quiet machine, in
    // tens of seconds on a loaded one (seen: over 30 s at a load average of 13 on 2 cores).
    const registerTimeoutMs = options.registerTimeoutMs ?? 90_000;
    const deadline = Date.now() + registerTimeoutMs;
    for (;;) {
      const result = await client.getTopology();
      if (result.modified) {
        const listed = new Map(result.topology.mixnodes.flatMap((l) => l.nodes).map((n) => [n.identityKey, n.host]));
        const gatewaysListed = new Set(result.topology.gateways.map((g) => g.identityKey));
        if (nodes.every((n) => listed.has(n.identityKey)) && gateways.every((g) => gatewaysListed.has(g.identityKey))) {
          for (const n of nodes) n.address = hostPortToMultiaddr(listed.get(n.identityKey) as string);
          break;
        }
      }
      for (const p of processes) {
        if (p.child.exitCode !== null) throw new Error(`mixnode process (layer ${p.layer}) exited during start`);
      }
      if (Date.now() > deadline)
        throw new Error(`not every node registered with the directory within ${registerTimeoutMs / 1000} s`);
      await sleep(100);
    }
  } catch (error) {
    await stop({ kill: true });
    throw error;
  }

  const net: LoopbackMixnet = {
    dir,
    directory,
    directoryUrl,
    nodes,
    mixnodes,
    processes,
    gateways,
    async refreshAll() {
      await Promise.all([...mixnodes, ...gateways].map((n) => n.refreshTopology()));
    },
    async restartGateway(i) {
      const old = gateways[i];
      if (!old) throw new RangeError(`no gateway ${i}`);
      await old.stop();
      const g = createGateway(
        {
          gateway: { port: gatewayPorts[i] as number },
          directory: timing,
          storage: { dataDir: gatewayDirs[i] as string },
          http: { enabled: false },
          ...(options.observe ? { observe: { enabled: true } } : {}),
        },
        { log },
      );
      await g.start();
      gateways[i] = g;
    },
    stop,
  };
  await net.refreshAll();
  return net;
}
