import { createServer } from "node:net";
import { join, relative, resolve } from "node:path";
import { type BinLocation, binCommand, findBins, repositoryRoot } from "./bins.js";
import { configFileOf, DAEMONS, isDaemon } from "./configs.js";
import { LocalnetError } from "./errors.js";
import { fundLocalnet } from "./ethereum.js";
import { probe } from "./health.js";
import { readManifest } from "./manifest.js";
import {
  exitDescription,
  type Launch,
  launch,
  logFile,
  logTail,
  recordedPid,
  recordedServices,
  runningPid,
  sleep,
  stopService,
} from "./processes.js";
import { planServices, type ServiceSpec } from "./topology.js";

export type Output = (line: string) => void;

export interface RunOptions {
  /** Build directory (default build/localnet). */
  dir?: string;
  /** Where progress lines go (default stdout). */
  out?: Output;
  /** The bins to run (default: the workspace's, `findBins()`); a daemon without one is skipped. */
  bins?: Map<string, BinLocation>;
}

export interface UpOptions extends RunOptions {
  /** Longest wait for one service to become healthy (default 120 s). */
  timeoutMs?: number;
  /** Leave what started running when a service fails (default: stop everything again). */
  keepOnFailure?: boolean;
}

/** A service of the plan and why it may not run here. */
interface Runnable {
  spec: ServiceSpec;
  /** Why it is skipped (its package is not in the tree), or undefined. */
  skipped: string | undefined;
  launch: Launch | undefined;
}

export interface UpResult {
  dir: string;
  started: string[];
  alreadyRunning: string[];
  skipped: string[];
  /** Wall time from the call to every service healthy, ms. */
  ms: number;
}

const anvilBinary = (): string => process.env.ANVIL_BIN ?? "anvil";
const cometBinary = (): string => process.env.COMETBFT_BIN ?? "cometbft";

/** The child environment: ours without NYM_* variables, which would override the configs' values. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("NYM_") && key !== "NYM_BUILD_COMMIT") continue;
    env[key] = value;
  }
  return env;
}

/**
 * Node.js flags of the localnet's daemons: a 1 MiB young generation (V8's default is 16 MiB per semi-space) keeps a
 * mostly idle daemon's resident memory down. Measured with bench/startup.ts (default topology, summed peak RSS):
 * 3.15 GiB with 4 MiB, 3.05 GiB with 1 MiB; the ledger without VALIDATOR_NODE_FLAGS (a 32 MiB semi-space and GC on
 * the main thread, for the throughput benchmark) 94 instead of 105 MiB each; `--single-threaded` measured worse
 * (3.36 GiB), and `--jitless` is out (the ledger's tiny-secp256k1 needs WebAssembly).
 */
const NODE_FLAGS = ["--max-semi-space-size=1"];
const LEDGER_NODE_FLAGS = NODE_FLAGS;

/** How each service of the plan runs here (or why it cannot). */
async function runnables(
  dir: string,
  services: ServiceSpec[],
  logLevel: string,
  bins: Map<string, BinLocation>,
): Promise<Runnable[]> {
  const root = repositoryRoot() ?? dir;
  const env = childEnv();
  const missing = (kind: keyof typeof DAEMONS) =>
    `packages/${DAEMONS[kind].pkg} (${DAEMONS[kind].bin}) is not in this tree`;
  const { validatorCommand } = await import("@nym-ts/testkit/testnet");
  return services.map((spec): Runnable => {
    const home = join(dir, spec.dir);
    const base = { name: spec.name, cwd: home, env };
    switch (spec.kind) {
      case "anvil":
        return {
          spec,
          skipped: undefined,
          launch: {
            ...base,
            command: anvilBinary(),
            args: [
              "--host",
              "127.0.0.1",
              "--port",
              String(spec.ports.rpc),
              "--chain-id",
              "31337",
              "--block-time",
              "1",
              // Saved on exit (and every 10 s) and loaded again by the next `up`: the token, balances and blocks stay.
              "--state",
              join(home, "anvil-state.json"),
              "--state-interval",
              "10",
            ],
          },
        };
      case "cometbft":
        return {
          spec,
          skipped: undefined,
          // A localnet's CometBFT holds little: collecting at 50% heap growth instead of 100% keeps it smaller.
          launch: { ...base, env: { ...env, GOGC: "50" }, command: cometBinary(), args: ["start", "--home", home] },
        };
      case "validator": {
        if (!bins.has(DAEMONS.validator.bin)) return { spec, skipped: missing("validator"), launch: undefined };
        const command = validatorCommand(
          {
            index: spec.index,
            abciPort: spec.ports.abci as number,
            abciAddress: `tcp://127.0.0.1:${spec.ports.abci}`,
            dataDir: join(home, "app"),
            logLevel,
            // The ledger checks that it and CometBFT run this home's genesis (docs/validator.md, "A wrong genesis").
            cometHome: home,
          },
          LEDGER_NODE_FLAGS,
        );
        return {
          spec,
          skipped: undefined,
          launch: {
            ...base,
            cwd: root,
            command: command.command,
            args: [...command.args, "--config", join(home, configFileOf("validator"))],
          },
        };
      }
      default: {
        if (!isDaemon(spec.kind)) throw new Error(`unknown kind ${spec.kind}`);
        const bin: BinLocation | undefined = bins.get(DAEMONS[spec.kind].bin);
        const command = binCommand(bin, ["run", "--config", join(home, configFileOf(spec.kind))], NODE_FLAGS);
        if (command === undefined) return { spec, skipped: missing(spec.kind), launch: undefined };
        return { spec, skipped: undefined, launch: { ...base, ...command } };
      }
    }
  });
}

/** Ports of `services` that another program holds, with the service each belongs to. */
async function busyPorts(services: ServiceSpec[]): Promise<string[]> {
  const busy: string[] = [];
  await Promise.all(
    services.flatMap((s) =>
      Object.entries(s.ports).map(
        ([role, port]) =>
          new Promise<void>((done) => {
            const server = createServer();
            server.once("error", () => {
              busy.push(`${port} (${s.name} ${role})`);
              done();
            });
            server.listen(port, "127.0.0.1", () => server.close(() => done()));
          }),
      ),
    ),
  );
  return busy.sort();
}

/**
 * `nym-localnet up`: starts every service of the build that is not running yet, stage by stage (anvil, then the
 * directory and the ledgers, CometBFT, the chain-following daemons and the mixnet, the service providers), each
 * stage healthy before the next; deploys NYM and funds the client once anvil answers. A service whose package is
 * missing is skipped with a line saying so. On a failure the log's tail is in the error, and what this call
 * started is stopped again (unless `keepOnFailure`).
 */
export async function upLocalnet(options: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const dir = resolve(options.dir ?? "build/localnet");
  const out = options.out ?? console.log;
  const manifest = readManifest(dir);
  const services = planServices(manifest.topology);
  const plan = await runnables(dir, services, manifest.logLevel, options.bins ?? findBins());
  const alreadyRunning = plan.filter((r) => runningPid(dir, r.spec.name) !== undefined).map((r) => r.spec.name);
  const skipped = plan.filter((r) => r.skipped !== undefined);
  const toStart = plan.filter((r) => r.skipped === undefined && !alreadyRunning.includes(r.spec.name));

  const busy = await busyPorts(toStart.map((r) => r.spec));
  if (busy.length > 0) {
    throw new LocalnetError(
      "LOCALNET_ERROR_PORT_IN_USE",
      `ports taken by another program: ${busy.join(", ")}; stop it, or rebuild with another --base-port`,
      { busy },
    );
  }
  const reported = new Set<string>();
  for (const r of skipped) {
    const reason = r.skipped as string;
    if (reported.has(reason)) continue;
    reported.add(reason);
    const names = skipped.filter((s) => s.skipped === reason).map((s) => s.spec.name);
    out(`  - skipped ${names.join(", ")}: ${reason}`);
  }
  if (alreadyRunning.length > 0) out(`  = already running: ${alreadyRunning.join(", ")}`);

  const fund = async () => {
    const anvil = services.find((s) => s.kind === "anvil") as ServiceSpec;
    const { anvilDevKeys } = await import("@nym-ts/testkit/anvil");
    const funded = await fundLocalnet(manifest, anvil.url, anvilDevKeys(1)[0] as string);
    out(
      `  ✓ ${"NYM token".padEnd(20)} ${funded.deployed ? "deployed" : "already deployed"} at ${funded.tokenAddress}` +
        `${funded.funded ? `; client ${manifest.client.address} funded` : ""}`,
    );
  };
  const startedNow: string[] = [];
  try {
    if (alreadyRunning.includes("anvil")) await fund();
    const stages = [...new Set(toStart.map((r) => r.spec.stage))].sort((a, b) => a - b);
    for (const stage of stages) {
      const batch = toStart.filter((r) => r.spec.stage === stage);
      await Promise.all(
        batch.map(async (r) => {
          const t0 = performance.now();
          try {
            await launch(dir, r.launch as Launch);
          } catch (cause) {
            throw new LocalnetError(
              "LOCALNET_ERROR_TOOL",
              `cannot start ${r.spec.name} (${(r.launch as Launch).command}): ${(cause as Error).message}` +
                (r.spec.kind === "anvil" || r.spec.kind === "cometbft" ? " (`make bootstrap` installs it)" : ""),
              { service: r.spec.name },
              { cause },
            );
          }
          startedNow.push(r.spec.name);
          await waitHealthy(dir, r.spec, options.timeoutMs ?? 120_000);
          out(
            `  ✓ ${r.spec.name.padEnd(20)} healthy in ${((performance.now() - t0) / 1000).toFixed(1)} s  ${r.spec.url}`,
          );
        }),
      );
      if (batch.some((r) => r.spec.kind === "anvil")) await fund();
    }
  } catch (error) {
    if (!options.keepOnFailure && startedNow.length > 0) {
      out(`  ! stopping what this run started (${startedNow.length} services); logs stay in ${join(dir, "logs")}`);
      for (const name of [...startedNow].reverse()) await stopService(dir, name, 5_000);
    }
    throw error;
  }
  return {
    dir,
    started: startedNow,
    alreadyRunning,
    skipped: skipped.map((r) => r.spec.name),
    ms: performance.now() - started,
  };
}

/** Waits for a service's health check; fails fast, with its log's tail, when its process exits. */
async function waitHealthy(dir: string, spec: ServiceSpec, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (runningPid(dir, spec.name) === undefined) {
      const how = exitDescription(recordedPid(dir, spec.name));
      throw new LocalnetError(
        "LOCALNET_ERROR_UNHEALTHY",
        `${spec.name} exited${how ? ` (${how})` : ""}; the end of ${logFile(dir, spec.name)}:\n` +
          indent(logTail(dir, spec.name, 15)),
        { service: spec.name },
      );
    }
    if (await probe(spec.health, 1_000)) return;
    if (Date.now() > deadline) {
      throw new LocalnetError(
        "LOCALNET_ERROR_UNHEALTHY",
        `${spec.name} not healthy after ${timeoutMs / 1000} s; the end of ${logFile(dir, spec.name)}:\n` +
          indent(logTail(dir, spec.name, 15)),
        { service: spec.name },
      );
    }
    await sleep(200);
  }
}

const indent = (text: string): string =>
  text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");

/**
 * `nym-localnet down`: stops every service (the reverse of the start order: clients of the chain first, the ledgers
 * and anvil last, which saves its state), and any other process with a pid file in the build directory. Resolves
 * once no process of the localnet is left.
 */
export async function downLocalnet(options: RunOptions = {}): Promise<{ stopped: string[] }> {
  const dir = resolve(options.dir ?? "build/localnet");
  const out = options.out ?? console.log;
  const manifest = readManifest(dir);
  const services = planServices(manifest.topology);
  const stopped: string[] = [];
  const stages = [...new Set(services.map((s) => s.stage))].sort((a, b) => b - a);
  const stopAll = async (names: string[]) => {
    await Promise.all(
      names.map(async (name) => {
        const t0 = performance.now();
        if (await stopService(dir, name)) {
          stopped.push(name);
          out(`  ✓ stopped ${name.padEnd(20)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }
      }),
    );
  };
  for (const stage of stages) await stopAll(services.filter((s) => s.stage === stage).map((s) => s.name));
  const planned = new Set(services.map((s) => s.name));
  await stopAll(recordedServices(dir).filter((name) => !planned.has(name)));
  return { stopped };
}

export type ServiceState = "up" | "unhealthy" | "dead" | "stopped" | "skipped";

export interface ServiceStatus {
  name: string;
  kind: ServiceSpec["kind"];
  state: ServiceState;
  pid: number | undefined;
  ports: Record<string, number>;
  url: string;
  log: string;
  /** For a dead service: the end of its log. */
  tail?: string;
  /** For a skipped one: why. */
  reason?: string;
}

/**
 * `nym-localnet status`: every service of the plan, `up` (running and healthy), `unhealthy` (running, its health
 * check failing), `dead` (it has a pid file but no process: the end of its log says why), `stopped` or `skipped`.
 */
export async function localnetStatus(options: RunOptions = {}): Promise<ServiceStatus[]> {
  const dir = resolve(options.dir ?? "build/localnet");
  const manifest = readManifest(dir);
  const services = planServices(manifest.topology);
  const bins = options.bins ?? findBins();
  return Promise.all(
    services.map(async (s): Promise<ServiceStatus> => {
      const base = { name: s.name, kind: s.kind, ports: s.ports, url: s.url, log: logFile(dir, s.name) };
      const pid = runningPid(dir, s.name);
      if (pid !== undefined) {
        return { ...base, pid, state: (await probe(s.health)) ? "up" : "unhealthy" };
      }
      if (recordedPid(dir, s.name) !== undefined) {
        return { ...base, pid: undefined, state: "dead", tail: logTail(dir, s.name, 10) };
      }
      if (isDaemon(s.kind) && !bins.has(DAEMONS[s.kind].bin)) {
        return { ...base, pid: undefined, state: "skipped", reason: `packages/${DAEMONS[s.kind].pkg} is missing` };
      }
      return { ...base, pid: undefined, state: "stopped" };
    }),
  );
}

/** The status table: service, state, pid, ports, URL, log (relative to the working directory when inside it). */
export function formatStatusTable(rows: readonly ServiceStatus[]): string {
  const shortPath = (p: string) => {
    const r = relative(process.cwd(), p);
    return r.startsWith("..") ? p : r;
  };
  const table = [
    ["SERVICE", "STATE", "PID", "PORTS", "URL", "LOG"],
    ...rows.map((r) => [
      r.name,
      r.state,
      r.pid === undefined ? "-" : String(r.pid),
      Object.entries(r.ports)
        .map(([role, port]) => `${role}:${port}`)
        .join(" "),
      r.url,
      shortPath(r.log),
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join("  ")
      .trimEnd(),
  );
  for (const r of rows) {
    if (r.state === "dead") lines.push("", `${r.name} is dead; the end of its log:`, indent(r.tail ?? ""));
    if (r.state === "skipped") lines.push(`${r.name}: skipped, ${r.reason}`);
  }
  return lines.join("\n");
}

/** `logs NAME`: the service's log file, checked against the plan. */
export function serviceLog(dir: string, name: string): string {
  const manifest = readManifest(resolve(dir));
  const names = planServices(manifest.topology).map((s) => s.name);
  if (!names.includes(name)) {
    throw new LocalnetError("LOCALNET_ERROR_UNKNOWN_SERVICE", `no service ${name}; the services: ${names.join(", ")}`, {
      name,
    });
  }
  return logFile(resolve(dir), name);
}
