import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, connect as netConnect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type AbciAppSpec, validatorCommand } from "@nym-ts/chain";
import { type AppStateInput, appStateSchema, ChainError } from "@nym-ts/chain-client";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";

const execFileAsync = promisify(execFile);

export interface TestnetOptions {
  /** Number of validators (CometBFT node + app process each). */
  validators: number;
  /** Where node homes go (`<dir>/node<i>`). Reused when it already holds a testnet (`testnet.json`). */
  dir: string;
  /** Genesis app_state for the Nym ledger; ignored with `app: "kvstore"`. */
  appState?: AppStateInput;
  chainId?: string;
  /** `nym` (default) runs our daemon per node; `kvstore` uses CometBFT's built-in app (benchmark baseline). */
  app?: "nym" | "kvstore";
  /** [consensus] timeout_commit; default "100ms" (the CometBFT default of 1s is for WANs). */
  timeoutCommit?: string;
  /** [consensus] timeout_propose; default "1s". */
  timeoutPropose?: string;
  createEmptyBlocks?: boolean;
  /** CometBFT's log level (default "error"); logs go to `<home>/cometbft.log`. */
  cometLogLevel?: string;
  /** The app's log level (default "info"); logs go to `<home>/app.log`. */
  appLogLevel?: string;
  /** The `cometbft` binary; default: `cometbft` on PATH. */
  cometbft?: string;
  /**
   * How each app talks to its node: `unix` over a Unix domain socket `<home>/abci.sock`, cheaper than loopback TCP
   * for the same bytes; `tcp` on 127.0.0.1:<abci port>. Default: unix when the socket path fits (100 bytes), else tcp.
   */
  abciTransport?: "unix" | "tcp";
  /** How to run the app of one node; default: `validatorCommand`, this package's `nym-validator`. */
  appCommand?: (node: AppSpec) => {
    command: string;
    args: string[];
  };
  /** Extra config.toml settings, `{ "mempool.size": 10000 }` (section.key; top-level keys without a dot). */
  config?: Record<string, string | number | boolean>;
}

/** What an app command needs to know about its node. */
export type AppSpec = AbciAppSpec;

/**
 * The command that runs `nym-validator` (the ledger) for one node, from the chain package's sources via tsx or its
 * build: `startTestnet`'s default app command, and the localnet's.
 */
export { validatorCommand };

/** The socket path of a `unix://` ABCI address, else undefined. */
const socketPathOf = (address: string): string | undefined =>
  address.startsWith("unix://") ? address.slice("unix://".length) : undefined;

export interface TestnetNode {
  readonly index: number;
  readonly home: string;
  readonly nodeId: string;
  readonly rpcUrl: string;
  readonly rpcPort: number;
  readonly p2pPort: number;
  readonly abciPort: number;
  /** `unix://<path>` or `tcp://127.0.0.1:<port>`: where CometBFT dials the app. */
  readonly abciAddress: string;
  readonly running: boolean;
  /** Process ids of the running app (none for kvstore) and CometBFT, for CPU accounting. */
  readonly pids: { app?: number; cometbft?: number };
  /** Starts the app (unless kvstore) and CometBFT, and waits until the node's RPC answers. */
  start(): Promise<void>;
  /** Stops CometBFT and the app: SIGTERM, then SIGKILL after a grace period; `{ kill: true }` kills at once. */
  stop(options?: { kill?: boolean }): Promise<void>;
}

export interface Testnet {
  readonly chainId: string;
  readonly dir: string;
  readonly nodes: readonly TestnetNode[];
  readonly rpcUrls: readonly string[];
  /** Resolves once every listed node (default: all running) reports a height >= `height`. */
  waitForHeight(height: number, options?: { nodes?: readonly TestnetNode[]; timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

const MAX_SOCKET_PATH = 100;

interface Manifest {
  chainId: string;
  app: "nym" | "kvstore";
  /** abciAddress is absent from the manifests of testnets laid out before Unix sockets: those use TCP. */
  nodes: { nodeId: string; rpcPort: number; p2pPort: number; abciPort: number; abciAddress?: string }[];
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Whatever happens to the parent (a failed test, an uncaught error), no node outlives it.
    process.on("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}

/**
 * Lays out and starts an N-validator CometBFT network on 127.0.0.1 with distinct ports: `cometbft testnet` creates
 * the keys and genesis, then each node's config.toml gets its own ports, the other nodes as persistent peers,
 * localnet timeouts and `proxy_app` pointing at its own app process (`unix://<home>/abci.sock` by default, or
 * `tcp://127.0.0.1:<abci port>` with `abciTransport: "tcp"`).
 */
export async function startTestnet(options: TestnetOptions): Promise<Testnet> {
  if (!Number.isInteger(options.validators) || options.validators < 1 || options.validators > 64) {
    throw new RangeError("validators: expected an integer from 1 to 64");
  }
  const dir = resolve(options.dir);
  const app = options.app ?? "nym";
  const cometbft = options.cometbft ?? "cometbft";
  const manifestPath = join(dir, "testnet.json");
  let manifest: Manifest;
  if (existsSync(manifestPath)) {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
    if (manifest.nodes.length !== options.validators || manifest.app !== app) {
      throw new ChainError("CHAIN_ERROR_TESTNET", `${dir} holds a different testnet`, { dir });
    }
  } else {
    manifest = await layout(dir, options, app, cometbft);
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const nodes = manifest.nodes.map((m, index) => new Node(index, dir, m, app, cometbft, options));
  const net: Testnet = {
    chainId: manifest.chainId,
    dir,
    nodes,
    rpcUrls: nodes.map((n) => n.rpcUrl),
    waitForHeight: (height, o = {}) => waitForHeight(o.nodes ?? nodes.filter((n) => n.running), height, o.timeoutMs),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (error) {
    await net.stop();
    throw error;
  }
  return net;
}

async function layout(
  dir: string,
  options: TestnetOptions,
  app: "nym" | "kvstore",
  cometbft: string,
): Promise<Manifest> {
  const n = options.validators;
  mkdirSync(dir, { recursive: true });
  try {
    await execFileAsync(cometbft, ["testnet", "--v", String(n), "--o", dir, "--populate-persistent-peers=false"]);
  } catch (cause) {
    throw new ChainError(
      "CHAIN_ERROR_TESTNET",
      `\`${cometbft} testnet\` failed (is CometBFT v0.38 on PATH?)`,
      { dir },
      { cause },
    );
  }
  const chainId = options.chainId ?? "nym-localnet";
  const ports = await freePorts(3 * n);
  // A Unix socket path must fit sun_path (108 bytes on Linux, 104 on macOS): a testnet laid out deeper than that
  // uses loopback TCP unless unix was asked for explicitly.
  const socketFits = Buffer.byteLength(join(dir, `node${n - 1}`, "abci.sock")) <= MAX_SOCKET_PATH;
  if (options.abciTransport === "unix" && !socketFits) {
    throw new RangeError(
      `abciTransport unix: ${dir} is too deep for a Unix socket path (max ${MAX_SOCKET_PATH} bytes)`,
    );
  }
  const transport = options.abciTransport ?? (socketFits ? "unix" : "tcp");
  const nodes = Array.from({ length: n }, (_, i) => ({
    nodeId: nodeIdOf(join(dir, `node${i}`)),
    p2pPort: ports[3 * i] as number,
    rpcPort: ports[3 * i + 1] as number,
    abciPort: ports[3 * i + 2] as number,
    abciAddress:
      transport === "unix"
        ? `unix://${join(dir, `node${i}`, "abci.sock")}`
        : `tcp://127.0.0.1:${ports[3 * i + 2] as number}`,
  }));
  const genesis = JSON.parse(readFileSync(join(dir, "node0", "config", "genesis.json"), "utf8")) as Record<
    string,
    unknown
  >;
  genesis.chain_id = chainId;
  if (app === "nym") {
    if (!options.appState) throw new TypeError("appState: required for the nym app");
    genesis.app_state = appStateSchema.parse(options.appState);
  }
  const genesisText = `${JSON.stringify(genesis, null, 2)}\n`;
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as (typeof nodes)[number];
    const home = join(dir, `node${i}`);
    writeFileSync(join(home, "config", "genesis.json"), genesisText);
    const settings = cometNodeSettings({
      index: i,
      proxyApp: app === "kvstore" ? "kvstore" : node.abciAddress,
      rpcPort: node.rpcPort,
      p2pPort: node.p2pPort,
      peers: nodes.filter((_, j) => j !== i).map((p) => ({ nodeId: p.nodeId, host: "127.0.0.1", p2pPort: p.p2pPort })),
      timeoutCommit: options.timeoutCommit,
      timeoutPropose: options.timeoutPropose,
      createEmptyBlocks: options.createEmptyBlocks,
      cometLogLevel: options.cometLogLevel,
      config: options.config,
    });
    const path = join(home, "config", "config.toml");
    writeFileSync(path, editToml(readFileSync(path, "utf8"), settings));
  }
  return { chainId, app, nodes };
}

/** What `cometNodeSettings` needs to know about one node of a network on one host (or one container network). */
export interface CometNodePlan {
  index: number;
  /** `unix://<socket>`, `tcp://127.0.0.1:<port>` or `kvstore`. */
  proxyApp: string;
  rpcPort: number;
  p2pPort: number;
  /** The other validators, dialled as `<nodeId>@<host>:<p2pPort>`. */
  peers: readonly { nodeId: string; host: string; p2pPort: number }[];
  /** Address RPC and P2P listen on; default 127.0.0.1 (0.0.0.0 in a container). */
  listenHost?: string;
  timeoutCommit?: string;
  timeoutPropose?: string;
  createEmptyBlocks?: boolean;
  cometLogLevel?: string;
  /** Extra settings, applied last. */
  config?: Record<string, string | number | boolean>;
}

/**
 * The config.toml settings (for `editToml`) of one validator of a local network: its own ports, the others as
 * persistent peers, no PEX, duplicate IPs allowed, and localnet timeouts (commit 100 ms, propose 1 s). What
 * `startTestnet` and the localnet (`nym-localnet build`) write.
 */
export function cometNodeSettings(node: CometNodePlan): Record<string, string | number | boolean> {
  const host = node.listenHost ?? "127.0.0.1";
  return {
    proxy_app: node.proxyApp,
    moniker: `nym-validator-${node.index}`,
    log_level: node.cometLogLevel ?? "error",
    "rpc.laddr": `tcp://${host}:${node.rpcPort}`,
    "rpc.timeout_broadcast_tx_commit": "30s",
    "p2p.laddr": `tcp://${host}:${node.p2pPort}`,
    "p2p.persistent_peers": node.peers.map((p) => `${p.nodeId}@${p.host}:${p.p2pPort}`).join(","),
    "p2p.addr_book_strict": false,
    "p2p.allow_duplicate_ip": true,
    "p2p.pex": false,
    "p2p.flush_throttle_timeout": "10ms",
    "consensus.timeout_commit": node.timeoutCommit ?? "100ms",
    "consensus.timeout_propose": node.timeoutPropose ?? "1s",
    "consensus.create_empty_blocks": node.createEmptyBlocks ?? true,
    "consensus.peer_gossip_sleep_duration": "10ms",
    ...node.config,
  };
}

/**
 * Sets `section.key` (or top-level `key`) values of a CometBFT config.toml, parsed and written by smol-toml; every
 * key must already exist (a typo would otherwise be ignored by CometBFT without a word).
 */
export function editToml(text: string, settings: Record<string, string | number | boolean>): string {
  const doc = parseToml(text) as Record<string, unknown>;
  const missing: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    const dot = name.indexOf(".");
    const table = dot < 0 ? doc : (doc[name.slice(0, dot)] as Record<string, unknown> | undefined);
    const key = dot < 0 ? name : name.slice(dot + 1);
    if (!table || typeof table !== "object" || !(key in table)) {
      missing.push(name);
      continue;
    }
    table[key] = value;
  }
  if (missing.length > 0) throw new ChainError("CHAIN_ERROR_TESTNET", `config.toml has no ${missing.join(", ")}`, {});
  return stringifyToml(doc);
}

/** A CometBFT node id (of `<home>/config/node_key.json`): hex of the first 20 bytes of sha256 of its ed25519 public key. */
export function nodeIdOf(home: string): string {
  const key = JSON.parse(readFileSync(join(home, "config", "node_key.json"), "utf8")) as {
    priv_key: { value: string };
  };
  const raw = Buffer.from(key.priv_key.value, "base64");
  if (raw.length !== 64) throw new ChainError("CHAIN_ERROR_TESTNET", `unexpected node key in ${home}`, { home });
  return createHash("sha256").update(raw.subarray(32)).digest().subarray(0, 20).toString("hex");
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolveServer, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolveServer(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    return typeof a === "object" && a ? a.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

const here = dirname(fileURLToPath(import.meta.url));

class Node implements TestnetNode {
  readonly home: string;
  readonly nodeId: string;
  readonly rpcPort: number;
  readonly p2pPort: number;
  readonly abciPort: number;
  readonly abciAddress: string;
  readonly rpcUrl: string;
  #comet: ChildProcess | undefined;
  #app: ChildProcess | undefined;

  constructor(
    readonly index: number,
    dir: string,
    m: Manifest["nodes"][number],
    readonly app: "nym" | "kvstore",
    readonly cometbft: string,
    readonly options: TestnetOptions,
  ) {
    this.home = join(dir, `node${index}`);
    this.nodeId = m.nodeId;
    this.rpcPort = m.rpcPort;
    this.p2pPort = m.p2pPort;
    this.abciPort = m.abciPort;
    this.abciAddress = m.abciAddress ?? `tcp://127.0.0.1:${m.abciPort}`;
    this.rpcUrl = `http://127.0.0.1:${m.rpcPort}`;
  }

  get running(): boolean {
    return this.#comet !== undefined;
  }

  get pids(): { app?: number; cometbft?: number } {
    return {
      ...(this.#app?.pid !== undefined ? { app: this.#app.pid } : {}),
      ...(this.#comet?.pid !== undefined ? { cometbft: this.#comet.pid } : {}),
    };
  }

  async start(): Promise<void> {
    if (this.#comet) return;
    if (this.app === "nym") {
      const abciSocket = socketPathOf(this.abciAddress);
      const spec = (this.options.appCommand ?? validatorCommand)({
        index: this.index,
        abciPort: this.abciPort,
        abciAddress: this.abciAddress,
        dataDir: join(this.home, "app"),
        logLevel: this.options.appLogLevel ?? "info",
        cometHome: this.home,
      });
      this.#app = launch(spec.command, spec.args, join(this.home, "app.log"), resolve(here, ".."));
      // Generous: on a loaded 2-core machine four apps transpiled by tsx at once took more than 30 s to listen.
      await withLogTail(
        waitForListener(abciSocket ? { path: abciSocket } : { port: this.abciPort }, this.#app, START_TIMEOUT_MS),
        join(this.home, "app.log"),
      );
    }
    this.#comet = launch(this.cometbft, ["start", "--home", this.home], join(this.home, "cometbft.log"), this.home);
    await withLogTail(waitForRpc(this.rpcUrl, this.#comet, START_TIMEOUT_MS), join(this.home, "cometbft.log"));
  }

  async stop(options: { kill?: boolean } = {}): Promise<void> {
    const comet = this.#comet;
    const app = this.#app;
    this.#comet = undefined;
    this.#app = undefined;
    await terminate(comet, options.kill);
    await terminate(app, options.kill);
  }
}

function launch(command: string, args: string[], logFile: string, cwd: string): ChildProcess {
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once("exit", () => setTimeout(() => log.end(), 50));
  child.once("error", () => log.end());
  track(child);
  return child;
}

async function terminate(child: ChildProcess | undefined, kill = false): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(kill ? "SIGKILL" : "SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** How long a node's app or CometBFT may take to come up before the launch fails. */
const START_TIMEOUT_MS = 90_000;

/** Adds the last lines of a process's log to a launch failure, so a test failure says why the process died. */
async function withLogTail(waiting: Promise<void>, logFile: string): Promise<void> {
  try {
    await waiting;
  } catch (error) {
    let tail = "";
    try {
      tail = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-15).join("\n");
    } catch {
      // no log yet
    }
    if (error instanceof Error && tail) error.message += `\n--- last lines of ${logFile} ---\n${tail}`;
    throw error;
  }
}

async function waitForListener(
  target: { port: number } | { path: string },
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new ChainError("CHAIN_ERROR_TESTNET", `app process exited (${child.exitCode})`, target);
    const ok = await new Promise<boolean>((r) => {
      const s = "path" in target ? netConnect({ path: target.path }) : netConnect(target.port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        r(true);
      });
      s.once("error", () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  const where = "path" in target ? target.path : String(target.port);
  throw new ChainError("CHAIN_ERROR_TESTNET", `app did not listen on ${where} in ${timeoutMs} ms`, target);
}

async function waitForRpc(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new ChainError("CHAIN_ERROR_TESTNET", `cometbft exited (${child.exitCode})`, { url });
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new ChainError("CHAIN_ERROR_TESTNET", `cometbft RPC ${url} did not answer in ${timeoutMs} ms`, { url });
}

/** Latest block height a node reports over RPC. */
export async function rpcHeight(url: string): Promise<number> {
  const r = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2_000) });
  const body = (await r.json()) as { result: { sync_info: { latest_block_height: string } } };
  return Number(body.result.sync_info.latest_block_height);
}

async function waitForHeight(nodes: readonly TestnetNode[], height: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const node of nodes) {
    for (;;) {
      let h = 0;
      try {
        h = await rpcHeight(node.rpcUrl);
      } catch {
        // restarting
      }
      if (h >= height) break;
      if (Date.now() > deadline) {
        throw new ChainError("CHAIN_ERROR_TESTNET", `node ${node.index} at height ${h}, wanted ${height}`, { height });
      }
      await sleep(100);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
