/**
 * Topology GET throughput and latency with 200 registered nodes, under load from this process (autocannon) against
 * a server in a child process, next to bare Fastify routes returning constants, measured the same way in the same run:
 * one a tiny JSON object, one a constant body as large as the topology. The target ratio is taken against the
 * same-size constant, so it shows the directory's own cost (lookup, ETag, headers) rather than the cost of pushing
 * 43 kB through loopback into the load generator, which both pay alike; the tiny-constant ratio is printed too.
 * Runs alternate and the median of each is reported, since the machine is shared. Targets: >= 5,000 req/s and a
 * ratio >= 0.5.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";

const NODES = Number(process.env.BENCH_NODES ?? 200);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SERVER = resolve(import.meta.dirname, "server.ts");

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "nym-directory-bench-"));
function cleanup(): void {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

async function startServer(args: string[]): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", SERVER, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) resolvePort(Number(match[1]));
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { port, child };
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, headers: Record<string, string> = {}, duration = DURATION_S): Promise<Run> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bytes: result.throughput.average,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  const directory = await startServer(["directory", String(NODES), join(dir, "directory.sqlite")]);
  const topologyUrl = `http://127.0.0.1:${directory.port}/api/v1/topology`;
  const probe = await fetch(topologyUrl, { headers: { "accept-encoding": "identity" } });
  const body = await probe.text();
  const etag = probe.headers.get("etag") ?? "";
  const topology = JSON.parse(body) as { mixnodes: { nodes: unknown[] }[]; gateways: unknown[] };
  const registered = topology.mixnodes.reduce((n, layer) => n + layer.nodes.length, 0) + topology.gateways.length;
  if (registered !== NODES) throw new Error(`expected ${NODES} nodes in the topology, found ${registered}`);
  const bare = await startServer(["bare", String(Buffer.byteLength(body))]);
  const sizedUrl = `http://127.0.0.1:${bare.port}/constant-sized`;
  const sizedProbe = await (await fetch(sizedUrl)).arrayBuffer();
  if (sizedProbe.byteLength !== Buffer.byteLength(body)) throw new Error("same-size constant has the wrong size");
  console.log(
    `nym-directory topology benchmark: ${NODES} registered nodes, body ${body.length} bytes, ` +
      `${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} rounds, node ${process.version}`,
  );

  // Warm both servers (JIT, sockets) before measuring.
  await load(`http://127.0.0.1:${bare.port}/constant`, {}, 2);
  await load(topologyUrl, {}, 2);

  await load(sizedUrl, {}, 2);

  const runs = {
    bare: [] as Run[],
    sized: [] as Run[],
    full: [] as Run[],
    gzip: [] as Run[],
    notModified: [] as Run[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    runs.bare.push(await load(`http://127.0.0.1:${bare.port}/constant`));
    runs.sized.push(await load(sizedUrl));
    runs.full.push(await load(topologyUrl));
    runs.gzip.push(await load(topologyUrl, { "accept-encoding": "gzip" }));
    runs.notModified.push(await load(topologyUrl, { "if-none-match": etag }));
  }

  const summary = (name: string, list: Run[], baseRps: number, tinyRps: number) => {
    const rps = median(list.map((r) => r.rps));
    const p99 = median(list.map((r) => r.p99));
    const p50 = median(list.map((r) => r.p50));
    const errors = list.reduce((n, r) => n + r.errors, 0);
    const non2xx = list.reduce((n, r) => n + r.non2xx, 0);
    const mbps = median(list.map((r) => r.bytes)) / 1e6;
    console.log(
      `${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s  p50 ${p50.toFixed(1).padStart(5)} ms  ` +
        `p99 ${p99.toFixed(1).padStart(5)} ms  ${mbps.toFixed(1).padStart(6)} MB/s  ` +
        `ratio ${(rps / baseRps).toFixed(2)} (to tiny ${(rps / tinyRps).toFixed(2)})  errors ${errors}  non-2xx ${non2xx}`,
    );
    return rps;
  };
  const tinyRps = median(runs.bare.map((r) => r.rps));
  const sizedRps = median(runs.sized.map((r) => r.rps));
  console.log("ratio = req/s over the same-size bare constant (and over the tiny bare constant)");
  summary("bare Fastify constant, tiny", runs.bare, sizedRps, tinyRps);
  summary(`bare Fastify constant, ${Buffer.byteLength(body)} B`, runs.sized, sizedRps, tinyRps);
  const fullRps = summary("GET /api/v1/topology (200, full)", runs.full, sizedRps, tinyRps);
  summary("GET /api/v1/topology (200, gzip)", runs.gzip, sizedRps, tinyRps);
  summary("GET /api/v1/topology (304, ETag)", runs.notModified, sizedRps, tinyRps);
  const ratio = fullRps / sizedRps;
  console.log(
    `targets: >= 5000 req/s -> ${fullRps >= 5000 ? "met" : "MISSED"} (${fullRps.toFixed(0)}); ` +
      `ratio to the same-size bare constant >= 0.5 -> ${ratio >= 0.5 ? "met" : "MISSED"} (${ratio.toFixed(2)}); ` +
      `to the tiny constant ${(fullRps / tinyRps).toFixed(2)}`,
  );
  console.log("(304 rows count as non-2xx in autocannon's tally; they are the expected answer there)");
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanup);
