/**
 * The localnet's start-up and memory, default topology (4 validators, 3 watchers, 3 issuers, 3 verifiers, 2 SPs,
 * 3 x 2 mixnodes, 2 gateways: 29 processes), run the way `make localnet` runs it: the nym-localnet CLI and the
 * daemons from their builds (`tsc -b` first; `--sources` runs everything from the TypeScript sources through tsx).
 *
 * 1. `up` then `down` once to warm the caches (page cache, tsx's transform cache), then the timed `up`: wall time
 *    from the command's start to every service healthy (target <= 90 s warm).
 * 2. `nymclient demo` through the running network (pay, credit, credential, spend over the mixnet).
 * 3. The summed peak resident memory (VmHWM) of every process of every service, from /proc (target <= 3 GiB),
 *    by kind, with the summed PSS (shared pages, such as node's own code, counted once) beside it.
 * 4. The timed `down`.
 *
 * pnpm bench [--sources] [--no-demo]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { groupMembers, peakRss, planServices, type ServiceKind } from "../src/index.js";
import { allPorts, DEFAULT_TOPOLOGY, resolveTopology } from "../src/topology.js";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");
const root = resolve(packageDir, "..", "..");
const fromSources = process.argv.includes("--sources");
const withDemo = !process.argv.includes("--no-demo");
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const DAEMON_PACKAGES = [
  "localnet",
  "chain",
  "directory",
  "ethereum-watcher",
  "issuer",
  "verifier",
  "service-provider",
  "mixnode",
  "gateway",
  "client",
].filter((p) => existsSync(join(root, "packages", p, "tsconfig.json")));

function cli(args: string[]): { command: string; args: string[] } {
  return fromSources
    ? {
        command: process.execPath,
        args: ["--conditions=@nym-ts/source", "--import", "tsx", join(packageDir, "src/bin.ts"), ...args],
      }
    : { command: process.execPath, args: [join(packageDir, "dist/bin.js"), ...args] };
}

/** Runs nym-localnet; resolves with its wall time, exit code and output. */
function run(args: string[]): Promise<{ ms: number; code: number | null; output: string }> {
  const c = cli(args);
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(c.command, c.args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.once("exit", (code) => done({ ms: performance.now() - t0, code, output }));
  });
}

const portFree = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });

async function freeBasePort(): Promise<number> {
  for (const basePort of [26_000, 27_000, 28_000, 29_000, 30_000, 31_000, 24_000, 23_000, 22_000]) {
    const ports = allPorts(planServices(resolveTopology({ ...DEFAULT_TOPOLOGY, basePort })));
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return basePort;
  }
  throw new Error("no free port range");
}

/** Proportional set size of a process, bytes (shared pages split among their users). */
function pss(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function must(result: { code: number | null; output: string }, what: string): void {
  if (result.code !== 0) {
    console.error(result.output);
    throw new Error(`${what} failed (exit ${result.code})`);
  }
}

async function main(): Promise<void> {
  if (!existsSync("/proc/self/status")) throw new Error("the memory figures need Linux /proc");
  if (!fromSources) {
    const t0 = performance.now();
    const built = spawnSync(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), "-b", ...DAEMON_PACKAGES.map((p) => `packages/${p}`)],
      { cwd: root, stdio: "inherit" },
    );
    if (built.status !== 0) {
      if (!existsSync(join(packageDir, "dist/bin.js")))
        throw new Error("tsc -b failed: fix the build or use --sources");
      console.log("tsc -b failed (above): measuring the builds already in dist/");
    } else {
      console.log(`tsc -b of ${DAEMON_PACKAGES.length} packages: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  const work = mkdtempSync(join(tmpdir(), "localnet-bench-"));
  const dir = join(work, "net");
  try {
    const basePort = await freeBasePort();
    must(await run(["build", "--dir", dir, "--base-port", String(basePort)]), "build");
    const services = planServices(resolveTopology({ ...DEFAULT_TOPOLOGY, basePort }));
    console.log(
      `default topology, ${services.length} services, ports ${basePort}-${basePort + 799}, ` +
        `${fromSources ? "from the sources (tsx)" : "from the builds (dist)"}`,
    );

    const cold = await run(["up", "--dir", dir]);
    must(cold, "first up");
    must(await run(["down", "--dir", dir]), "first down");
    const warm = await run(["up", "--dir", dir]);
    must(warm, "up");
    const reported = /all started services healthy in ([\d.]+) s/.exec(warm.output)?.[1];

    let demo: { ms: number; code: number | null; output: string } | undefined;
    if (withDemo) demo = await run(["demo", "--dir", dir]);
    await new Promise((r) => setTimeout(r, 5_000));

    const byKind = new Map<ServiceKind, { count: number; rss: number; pss: number }>();
    let totalRss = 0;
    let totalPss = 0;
    for (const s of services) {
      const pidText = existsSync(join(dir, "run", `${s.name}.pid`))
        ? readFileSync(join(dir, "run", `${s.name}.pid`), "utf8")
        : "";
      const pid = Number(pidText.trim());
      const members = pid > 0 ? [...new Set([pid, ...groupMembers(pid)])] : [];
      const rss = members.reduce((sum, p) => sum + (peakRss(p) ?? 0), 0);
      const p = members.reduce((sum, m) => sum + pss(m), 0);
      totalRss += rss;
      totalPss += p;
      const entry = byKind.get(s.kind) ?? { count: 0, rss: 0, pss: 0 };
      byKind.set(s.kind, { count: entry.count + 1, rss: entry.rss + rss, pss: entry.pss + p });
    }
    const down = await run(["down", "--dir", dir]);
    must(down, "down");

    console.log("");
    console.log(`first up (cold caches)         ${(cold.ms / 1000).toFixed(1)} s`);
    console.log(
      `up, warm: start to all healthy ${(warm.ms / 1000).toFixed(1)} s (nym-localnet reports ${reported} s); ` +
        `target <= 90 s: ratio ${(warm.ms / 90_000).toFixed(2)}`,
    );
    if (demo) {
      console.log(
        `nymclient demo                 ${(demo.ms / 1000).toFixed(1)} s, ${demo.code === 0 ? "passed" : `FAILED (exit ${demo.code})`}`,
      );
    }
    console.log(`down                           ${(down.ms / 1000).toFixed(1)} s`);
    console.log("");
    console.log("kind               count  peak RSS (MiB)  per process  PSS now (MiB)");
    for (const [kind, e] of [...byKind].sort((a, b) => b[1].rss - a[1].rss)) {
      console.log(
        `${kind.padEnd(18)} ${String(e.count).padStart(5)}  ${(e.rss / MIB).toFixed(0).padStart(14)}  ` +
          `${(e.rss / e.count / MIB).toFixed(0).padStart(11)}  ${(e.pss / MIB).toFixed(0).padStart(13)}`,
      );
    }
    console.log(
      `summed peak RSS of all daemons  ${(totalRss / GIB).toFixed(2)} GiB; target <= 3 GiB: ratio ` +
        `${(totalRss / (3 * GIB)).toFixed(2)}; summed PSS ${(totalPss / GIB).toFixed(2)} GiB ` +
        `(RSS/PSS ${(totalRss / totalPss).toFixed(2)}: node's shared pages counted once per process in RSS)`,
    );
  } finally {
    if (existsSync(join(dir, "localnet.json"))) await run(["down", "--dir", dir]);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
