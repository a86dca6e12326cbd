import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import {
  type CommandLineSpec,
  type CommandSpec,
  daemonVersion,
  type FlagSpec,
  packageVersion,
  runCommandLine,
  UsageError,
} from "@nym-ts/common";
import { runCommand as privacyRunCommand } from "@nym-ts/privacy";
import { binCommand, findBins, repositoryRoot } from "./bins.js";
import { buildLocalnet, DEFAULT_BUILD_DIR } from "./build.js";
import { composeFile, composeHostNetworkOverride } from "./compose.js";
import { fundLocalnet } from "./ethereum.js";
import { MANIFEST_FILE, readManifest } from "./manifest.js";
import { logTail } from "./processes.js";
import { downLocalnet, formatStatusTable, localnetStatus, serviceLog, upLocalnet } from "./runner.js";
import { resolveTopology, type Topology, type TopologyInput } from "./topology.js";

type Command = CommandSpec<number>;

const dirFlag: FlagSpec = {
  type: "string",
  value: "DIR",
  describe: `the build directory (default ${DEFAULT_BUILD_DIR})`,
};

/** Topology flags: `--mix-layers 3` sets `mixLayers`. */
const TOPOLOGY_FLAGS: Record<string, { key: keyof TopologyInput; describe: string }> = {
  validators: { key: "validators", describe: "validators (default 4)" },
  watchers: { key: "watchers", describe: "Ethereum watchers (default 3)" },
  "watcher-threshold": { key: "watcherThreshold", describe: "watcher threshold (default a majority)" },
  issuers: { key: "issuers", describe: "issuers (default 3)" },
  threshold: { key: "threshold", describe: "issuer threshold t (default 2)" },
  verifiers: { key: "verifiers", describe: "verifiers (default 3)" },
  "verifier-threshold": { key: "verifierThreshold", describe: "verifier threshold (default a majority)" },
  providers: { key: "providers", describe: "service providers (default 2)" },
  "mix-layers": { key: "mixLayers", describe: "mix layers (default 3)" },
  "mixnodes-per-layer": { key: "mixnodesPerLayer", describe: "mixnodes per layer (default 2)" },
  gateways: { key: "gateways", describe: "gateways (default 2)" },
  "base-port": { key: "basePort", describe: "first port of the 800-port range on 127.0.0.1 (default 21000)" },
};
const topologyFlags: Record<string, FlagSpec> = Object.fromEntries(
  Object.entries(TOPOLOGY_FLAGS).map(([name, f]) => [name, { type: "string", value: "N", describe: f.describe }]),
);

function topologyFrom(flags: Record<string, string>): { input: TopologyInput; given: boolean } {
  const input: Record<string, number> = {};
  for (const [name, { key }] of Object.entries(TOPOLOGY_FLAGS)) {
    const raw = flags[name];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) throw new UsageError(`--${name} must be a whole number, not ${raw}`);
    input[key] = value;
  }
  return { input: input as TopologyInput, given: Object.keys(input).length > 0 };
}

function checkedTopology(input: TopologyInput): Topology {
  try {
    return resolveTopology(input);
  } catch (error) {
    const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    if (issues === undefined) throw error;
    const flag = (key: PropertyKey) => Object.entries(TOPOLOGY_FLAGS).find(([, f]) => f.key === key)?.[0] ?? key;
    throw new UsageError(issues.map((i) => `--${String(flag(i.path[0] ?? ""))}: ${i.message}`).join("; "));
  }
}

const dirOf = (flags: Record<string, string>): string => resolve(flags.dir ?? DEFAULT_BUILD_DIR);
const shown = (path: string): string => {
  const r = relative(process.cwd(), path);
  return r === "" ? "." : r.startsWith("..") ? path : r;
};

/** Writes the compose file for `topology` at `out`, its mounts pointing at `dir`; returns the path. */
function writeCompose(topology: Topology, dir: string, out: string, hostNetwork?: string): string[] {
  const outDir = dirname(resolve(out));
  const relativeTo = (target: string) => {
    const r = relative(outDir, target);
    return r === "" ? "." : r.startsWith("..") || r.startsWith("/") ? r : `./${r}`;
  };
  const written = [resolve(out)];
  writeFileSync(
    resolve(out),
    composeFile(topology, { buildDir: relativeTo(dir), context: relativeTo(repositoryRoot() ?? outDir) }),
  );
  if (hostNetwork !== undefined) {
    writeFileSync(resolve(hostNetwork), composeHostNetworkOverride(topology));
    written.push(resolve(hostNetwork));
  }
  return written;
}

function nextSteps(dir: string): string {
  const d = shown(dir);
  const bin = d.startsWith("/") ? `${d}/bin` : `$PWD/${d}/bin`;
  const flag = dir === resolve(DEFAULT_BUILD_DIR) ? "" : ` --dir ${d}`;
  return [
    "",
    "Try next:",
    `  export PATH=${bin}:$PATH   # nym-localnet, nymclient and every daemon, run from the sources`,
    `  nym-localnet status${flag}          # every service: state, pid, ports, URL, log`,
    `  nym-localnet logs issuer-0 --follow${flag}`,
    `  nymclient demo --dir ${d}/localclient --via-mixnet   # pay, get a credential, spend it over the mixnet`,
    `  nymclient balance --dir ${d}/localclient`,
    `  nym-localnet down${flag}            # or: make localnet-down`,
    "docs/localnet.md has the rest.",
  ].join("\n");
}

export const commands: Record<string, Command> = {
  build: {
    describe: "write keys, genesis and every node's config into the build directory",
    flags: {
      dir: dirFlag,
      ...topologyFlags,
      seed: { type: "string", value: "S", describe: "derive every key from S (reproducible; tests only)" },
      force: { type: "boolean", describe: "replace an existing build (its keys and data)" },
      "log-level": { type: "string", value: "LEVEL", describe: "every daemon's log level (default info)" },
      compose: { type: "boolean", describe: "also write ./docker-compose.yml for this topology" },
    },
    async run({ flags }) {
      const dir = dirOf(flags);
      const topology = checkedTopology(topologyFrom(flags).input);
      const t0 = performance.now();
      const result = await buildLocalnet({
        dir,
        topology,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        force: flags.force === "true",
        ...(flags["log-level"] !== undefined ? { logLevel: flags["log-level"] } : {}),
      });
      const t = result.manifest.topology;
      console.log(
        `built the localnet in ${shown(dir)} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
          `${t.validators} validators, ${t.watchers} watchers (threshold ${t.watcherThreshold}), ` +
          `${t.issuers} issuers (t = ${t.threshold}), ${t.verifiers} verifiers (threshold ${t.verifierThreshold}), ` +
          `${t.providers} service providers, ${t.mixLayers} x ${t.mixnodesPerLayer} mixnodes, ${t.gateways} gateways; ` +
          `ports ${t.basePort}-${t.basePort + 799} on 127.0.0.1${result.manifest.seeded ? "; keys from --seed (test only)" : ""}`,
      );
      if (flags.compose === "true") {
        for (const file of writeCompose(t, dir, "docker-compose.yml")) console.log(`wrote ${shown(file)}`);
      }
      console.log(`next: nym-localnet up${flags.dir !== undefined ? ` --dir ${shown(dir)}` : ""}`);
      return 0;
    },
  },
  up: {
    describe: "start every service as a local process, wait until each is healthy, print the table",
    flags: {
      dir: dirFlag,
      timeout: { type: "string", value: "SECONDS", describe: "longest wait for one service (default 120)" },
      "keep-on-failure": { type: "boolean", describe: "leave the started services running when one fails" },
    },
    async run({ flags }) {
      const dir = dirOf(flags);
      const timeout = flags.timeout === undefined ? 120 : Number(flags.timeout);
      if (!(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds, not ${flags.timeout}`);
      console.log(`starting the localnet of ${shown(dir)}`);
      // Ctrl-C while starting: stop the network again rather than leave half of it behind.
      process.once("SIGINT", () => {
        console.log("\ninterrupted: stopping the localnet");
        void downLocalnet({ dir }).finally(() => process.exit(130));
      });
      const result = await upLocalnet({
        dir,
        timeoutMs: timeout * 1000,
        keepOnFailure: flags["keep-on-failure"] === "true",
      });
      console.log(
        `\nall started services healthy in ${(result.ms / 1000).toFixed(1)} s` +
          `${result.skipped.length > 0 ? ` (${result.skipped.length} skipped)` : ""}\n`,
      );
      console.log(formatStatusTable(await localnetStatus({ dir })));
      console.log(nextSteps(dir));
      return 0;
    },
  },
  down: {
    describe: "stop every service of the localnet (data and logs stay)",
    flags: { dir: dirFlag },
    async run({ flags }) {
      const dir = dirOf(flags);
      const { stopped } = await downLocalnet({ dir });
      console.log(stopped.length === 0 ? "nothing was running" : `stopped ${stopped.length} services`);
      return 0;
    },
  },
  status: {
    describe: "every service: up, unhealthy, dead (with the end of its log), stopped or skipped",
    flags: { dir: dirFlag, json: { type: "boolean", describe: "one JSON object per service" } },
    async run({ flags }) {
      const rows = await localnetStatus({ dir: dirOf(flags) });
      if (flags.json === "true") for (const row of rows) console.log(JSON.stringify(row));
      else console.log(formatStatusTable(rows));
      return rows.every((r) => r.state === "up" || r.state === "skipped") ? 0 : 1;
    },
  },
  logs: {
    describe: "print the end of a service's log (validator-0, validator-0-ledger, issuer-1, mixnode-2-0, ...)",
    args: "<NAME>",
    flags: {
      dir: dirFlag,
      lines: { type: "string", value: "N", describe: "lines from the end (default 100)" },
      follow: { type: "boolean", describe: "keep printing what is appended (Ctrl-C stops)" },
    },
    async run({ flags, args }) {
      const name = args[0];
      if (name === undefined || args.length > 1) throw new UsageError("logs takes one service name");
      const dir = dirOf(flags);
      const path = serviceLog(dir, name);
      const lines = flags.lines === undefined ? 100 : Number(flags.lines);
      if (!Number.isSafeInteger(lines) || lines < 0) throw new UsageError(`--lines must be a whole number`);
      if (!existsSync(path)) {
        console.error(`${shown(path)} does not exist yet: ${name} has not been started`);
        return 1;
      }
      const tail = logTail(dir, name, lines);
      if (tail) console.log(tail);
      if (flags.follow === "true") await follow(path);
      return 0;
    },
  },
  compose: {
    describe: "write docker-compose.yml for the build's topology (or the flags' when nothing is built)",
    flags: {
      dir: dirFlag,
      out: { type: "string", value: "FILE", describe: "where to write it (default ./docker-compose.yml)" },
      "host-network": {
        type: "string",
        value: "FILE",
        describe: "also write an override putting every container on the host's network (tests)",
      },
      ...topologyFlags,
    },
    async run({ flags }) {
      const dir = dirOf(flags);
      const { input, given } = topologyFrom(flags);
      let topology: Topology;
      if (existsSync(join(dir, MANIFEST_FILE))) {
        if (given) throw new UsageError(`${shown(dir)} is built: its topology is the one in ${MANIFEST_FILE}`);
        topology = readManifest(dir).topology;
      } else topology = checkedTopology(input);
      for (const file of writeCompose(topology, dir, flags.out ?? "docker-compose.yml", flags["host-network"])) {
        console.log(`wrote ${shown(file)}`);
      }
      return 0;
    },
  },
  fund: {
    describe: "deploy NYM on anvil (at the address the configs name) and fund the local client; idempotent",
    flags: {
      dir: dirFlag,
      ethereum: { type: "string", value: "URL", describe: "anvil's JSON-RPC URL (default the plan's)" },
    },
    async run({ flags }) {
      const manifest = readManifest(dirOf(flags));
      const url = flags.ethereum ?? `http://127.0.0.1:${manifest.topology.basePort}`;
      const { anvilDevKeys } = await import("@nym-ts/testkit/anvil");
      const result = await fundLocalnet(manifest, url, anvilDevKeys(1)[0] as string);
      console.log(
        JSON.stringify({
          type: "fund",
          ...result,
          client: manifest.client.address,
          funding: manifest.ethereum.clientFunding,
        }),
      );
      return 0;
    },
  },
  demo: {
    describe:
      "run `nymclient demo` against the running localnet (pay, credential, spend over the mixnet, a message with a reply through it)",
    flags: {
      dir: dirFlag,
      "no-mixnet": { type: "boolean", describe: "spend over HTTP instead of the mixnet" },
    },
    async run({ flags }) {
      const dir = dirOf(flags);
      const manifest = readManifest(dir);
      const nymclient = findBins().get("nymclient");
      const help = binCommand(nymclient, ["--help"]);
      if (help === undefined) {
        console.log("  - skipped the demo: packages/client (nymclient) is not in this tree");
        return 0;
      }
      const text = spawnSync(help.command, help.args, { encoding: "utf8" }).stdout ?? "";
      if (!/^\s+demo\s/m.test(text)) {
        console.log("  - skipped the demo: this tree's nymclient has no demo command yet");
        return 0;
      }
      const args = ["demo", "--dir", join(dir, manifest.client.dir)];
      if (flags["no-mixnet"] !== "true") args.push("--via-mixnet");
      const command = binCommand(nymclient, args) as { command: string; args: string[] };
      console.log(`nymclient ${args.join(" ")}`);
      const code = await new Promise<number>((done) => {
        const child = spawn(command.command, command.args, { stdio: "inherit" });
        child.once("exit", (exit, signal) => done(exit ?? (signal ? 1 : 0)));
        child.once("error", () => done(1));
      });
      const flag = dir === resolve(DEFAULT_BUILD_DIR) ? "" : ` --dir ${shown(dir)}`;
      console.log(
        `\nthe demo ${code === 0 ? "passed" : `failed (exit ${code})`}; the localnet keeps running: ` +
          `nym-localnet status${flag}, nym-localnet down${flag} (make localnet-down)`,
      );
      return code;
    },
  },
  privacy: {
    ...privacyRunCommand,
    describe:
      "measure what a global passive adversary learns from timing on loopback mixnets with observation on (nym-privacy run; docs/privacy.md): report in build/privacy",
  },
};

/** Prints what is appended to `path` until the process is interrupted. */
async function follow(path: string): Promise<never> {
  let position = statSync(path).size;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const size = statSync(path).size;
    if (size < position) position = 0;
    if (size > position) {
      const fd = openSync(path, "r");
      const buffer = Buffer.alloc(size - position);
      readSync(fd, buffer, 0, buffer.length, position);
      closeSync(fd);
      process.stdout.write(buffer);
      position = size;
    }
  }
}

export const cliSpec: CommandLineSpec<number> = {
  name: "nym-localnet",
  about:
    "The whole Nym network on this machine: anvil with the NYM token, CometBFT validators with the ledger, Ethereum " +
    "watchers, issuers, verifiers, service providers, the directory, mixnodes and gateways, on 127.0.0.1 " +
    "(docs/localnet.md). build, then up; status, logs, down; compose writes the same network as docker-compose.yml.",
  commands,
  version: daemonVersion(packageVersion(import.meta.url)),
};

export function runCli(argv: readonly string[]): Promise<number> {
  return runCommandLine(cliSpec as CommandLineSpec<unknown>, argv);
}
