/**
 * Benchmark of one nym-mixnode process (spawned from src/bin.ts, so it runs on one JS thread), with the real libp2p
 * transport and Sphinx processing:
 *   A. sustained packets/s through the node with delays 0 (flooded with back-pressure, forwarded to a sink);
 *   B. p50/p99 added latency at half that load;
 *   C. the node's peak RSS (VmHWM) after A and B;
 *   D. end-to-end latency over a full route (3 mixnode processes, then a final hop) against the configured mean delay.
 * Ratios in the same run: A against this machine's single-thread Sphinx unwrap rate, and against the target.
 * The packets of A and the Sphinx reference are built before the nodes start; the output also splits the node's CPU per
 * packet into the Sphinx unwrap (the reference) and the rest, and gives the CPU this process (load generator, sink,
 * directory) spent, so a wall rate below the CPU-normalised one can be told apart from a slow node.
 * Usage: pnpm bench [-- --packets 30000 --seconds 4 --mu 20 --ref 2000 --semi 4 --source --profile DIR]
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createLogger, parseFlags } from "@nym-ts/common";
import { createDirectoryClient, ed25519SignerFromSeed } from "@nym-ts/directory-client";
import { DEFAULT_PAYLOAD_SIZE, encodeMixPacket, generateX25519, nymSphinx, sampleExponential } from "@nym-ts/mixnet";
import { createLibp2pTransport, multiaddrToHostPort } from "@nym-ts/mixnet-node";
import { type LoopbackMixnet, type LoopbackMixnode, startLoopbackMixnet } from "@nym-ts/testkit";

const { flags } = parseFlags(process.argv.slice(2));
const PACKETS = Number(flags.packets ?? 30_000);
const HALF_SECONDS = Number(flags.seconds ?? 4);
const MU = Number(flags.mu ?? 20);
const E2E_PACKETS = Number(flags.e2e ?? 300);
const PAYLOAD = DEFAULT_PAYLOAD_SIZE;
const REF_PACKETS = Number(flags.ref ?? 2000);
const WARM_PACKETS = 2000;
const TARGET_PPS = 5000;
const TARGET_RSS_MIB = 256;

const log = createLogger({ name: "bench", level: "silent" });
// The built binary when there is one (`make bench` builds first), as an operator runs it; the sources through tsx
// otherwise (tsx adds ~25 MiB of RSS).
const distBin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const srcBin = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
const useDist = existsSync(distBin) && flags.source === undefined;
// The deployment setting (deploy/mixnode sets NODE_OPTIONS=--max-semi-space-size=4): Sphinx processing allocates
// native key objects per packet that are freed only when V8 collects their wrappers; a small young generation does
// that sooner (peak RSS ~275 -> ~175 MiB at full load here). `--semi 0` measures Node's default.
const SEMI = Number(flags.semi ?? 4);
const heapArgs = [
  ...(SEMI > 0 ? [`--max-semi-space-size=${SEMI}`] : []),
  ...(flags.profile !== undefined ? ["--cpu-prof", `--cpu-prof-dir=${flags.profile}`] : []),
  // More V8/Node flags for the mixnode processes, comma-separated (e.g. `--nodeFlags=--trace-gc`).
  ...(flags.nodeFlags !== undefined ? flags.nodeFlags.split(",") : []),
];
const nodeArgs = [
  ...heapArgs,
  ...(useDist ? [flags.wrap ?? distBin] : ["--conditions=@nym-ts/source", "--import", "tsx", srcBin]),
];
let net: LoopbackMixnet | undefined;

function cleanup(): void {
  if (!net) return;
  for (const p of net.processes) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  rmSync(net.dir, { recursive: true, force: true });
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

const seed = () => new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const f1 = (x: number) => x.toFixed(1);

/** The node's non-zero drop counters, by reason, from its Prometheus endpoint. */
async function dropReasons(port: number): Promise<string> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const rows = [...text.matchAll(/packets_dropped_total\{reason="([a-z_]+)"\} (\d+)/g)].filter((m) => m[2] !== "0");
    return rows.length === 0 ? "none" : rows.map((m) => `${m[1]}=${m[2]}`).join(", ");
  } catch {
    return "unknown";
  }
}

/**
 * `n` frames from `build`, copied into one ArrayBuffer and handed out as views: tens of thousands of separate
 * 2.4 KB buffers held for the whole run made this process's garbage collector cost ~40 % of its CPU during A.
 */
function packed(n: number, build: () => Uint8Array): Uint8Array[] {
  const frames = Array.from({ length: n }, build);
  const all = new Uint8Array(frames.reduce((sum, f) => sum + f.length, 0));
  let at = 0;
  return frames.map((f) => {
    all.set(f, at);
    at += f.length;
    return all.subarray(at - f.length, at);
  });
}

/** CPU seconds (user + system, all threads) a process has used, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main(): Promise<void> {
  // The sink: a final hop in this process, registered as a gateway so the mixnodes may forward to it.
  const sinkSeed = seed();
  const sinkSphinx = generateX25519();
  const sinkKey = nymSphinx.nodeKey(sinkSphinx.secretKey);
  const sink = createLibp2pTransport({ identitySeed: sinkSeed, listen: ["/ip4/127.0.0.1/tcp/0"], maxQueuedFrames: 1 });
  await sink.start();
  const sinkHostPort = multiaddrToHostPort(sink.listenAddresses()[0] as string);
  const sinkSigner = ed25519SignerFromSeed(sinkSeed);
  const sinkHop = {
    address: new Uint8Array(Buffer.from(sinkSigner.publicKey, "hex")),
    publicKey: sinkSphinx.publicKey,
  };
  const hop = (n: LoopbackMixnode) => ({
    address: new Uint8Array(Buffer.from(n.identityKey, "hex")),
    publicKey: new Uint8Array(Buffer.from(n.sphinxKey, "hex")),
  });

  // Filled in before the nodes start (see beforeMixnodesStart).
  let unwrapPerSec = 0;
  let unwrapPerCpuSec = 0;
  let batch = 0;
  let createPerSec = 0;
  let floodPackets: Uint8Array[] = [];
  let warmPackets: Uint8Array[] = [];
  let make: (n: number) => Uint8Array[] = () => [];

  // Three mixnode processes, one per layer (testkit's loopback mixnet, no gateway: the sink is the final hop), each
  // with /metrics on a free port (for drop reasons). The packets are built once the keys exist and before the nodes
  // start, so building them neither competes with the nodes for CPU nor stalls this process's directory while they
  // poll it.
  net = await startLoopbackMixnet({
    layers: 3,
    mixnodesPerLayer: 1,
    gateways: 0,
    processes: "all",
    mixnodeCommand: (config) => ({ command: process.execPath, args: [...nodeArgs, "run", "--config", config] }),
    mixing: { loopRate: 0, maxQueuedFramesPerLink: 4000 },
    directoryTiming: { topologyRefreshMs: 500, registerIntervalMs: 5000 },
    mixnodeHttp: true,
    processOutput: "inherit",
    log,
    beforeMixnodesStart: async ({ directoryUrl, nodes }) => {
      await createDirectoryClient({ baseUrl: directoryUrl }).register(
        "gateway",
        {
          identityKey: sinkSigner.publicKey,
          sphinxKey: Buffer.from(sinkSphinx.publicKey).toString("hex"),
          mixnetAddress: sinkHostPort,
          clientAddress: sinkHostPort,
          version: "bench",
        },
        sinkSigner,
      );
      const firstHop = hop(nodes[0] as LoopbackMixnode);

      // Same-run reference: this machine's single-thread Sphinx unwrap rate.
      const refKey = generateX25519();
      const refNode = nymSphinx.nodeKey(refKey.secretKey);
      const refPackets = Array.from({ length: REF_PACKETS }, () =>
        nymSphinx.createPacket({
          route: [{ address: sinkHop.address, publicKey: refKey.publicKey }, sinkHop],
          delaysMs: [0, 0],
          destination: new Uint8Array(32),
          identifier: new Uint8Array(16),
          message: new Uint8Array(16),
          payloadSize: PAYLOAD,
        }),
      );
      // In 5 batches, the median batch reported: one burst of load elsewhere on a shared machine skews a single timing.
      batch = Math.floor(refPackets.length / 5);
      const wallRates: number[] = [];
      const cpuRates: number[] = [];
      for (let b = 0; b < 5; b++) {
        const start = performance.now();
        const cpu0 = process.cpuUsage();
        for (const p of refPackets.slice(b * batch, (b + 1) * batch)) nymSphinx.processPacket(refNode, p);
        const cpu = process.cpuUsage(cpu0);
        wallRates.push(batch / ((performance.now() - start) / 1000));
        cpuRates.push(batch / ((cpu.user + cpu.system) / 1e6));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      unwrapPerSec = median(wallRates);
      unwrapPerCpuSec = median(cpuRates);

      // Packets for A (and the warm-up): route [mix1, sink], delays 0, all built before the flood.
      const t0 = performance.now();
      make = (n: number) =>
        packed(n, () =>
          encodeMixPacket(
            nymSphinx.createPacket({
              route: [firstHop, sinkHop],
              delaysMs: [0, 0],
              destination: new Uint8Array(32),
              identifier: new Uint8Array(16),
              message: new Uint8Array(16),
              payloadSize: PAYLOAD,
            }),
          ),
        );
      floodPackets = make(PACKETS);
      createPerSec = PACKETS / ((performance.now() - t0) / 1000);
      warmPackets = make(WARM_PACKETS);
    },
  });
  const [m1, m2, m3] = net.nodes as [LoopbackMixnode, LoopbackMixnode, LoopbackMixnode];
  const pid1 = m1.child?.pid as number;
  await sleep(1500); // every node has refreshed its topology (500 ms period), the sink included

  let received = 0;
  let arrivals: number[] = [];
  sink.onFrame(() => {
    received++;
    arrivals.push(performance.now());
  });
  const load = createLibp2pTransport({ identitySeed: seed(), listen: [], maxQueuedFrames: 100_000 });
  await load.start();
  const target = { id: hop(m1).address, address: m1.address };
  // Warm the links and the node's JIT (closed loop, like A).
  for (let k = 0; k < warmPackets.length; k++) {
    load.send(target, warmPackets[k] as Uint8Array);
    if (k % 200 === 199) while (received < k - 400) await sleep(5);
  }
  const warmDeadline = performance.now() + 20_000;
  while (received < warmPackets.length && performance.now() < warmDeadline) await sleep(10);

  // A: flood with back-pressure.
  received = 0;
  arrivals = [];
  let next = 0;
  const cpuA0 = cpuSeconds(pid1);
  const selfA0 = process.cpuUsage();
  const floodStart = performance.now();
  while (next < floodPackets.length) {
    // Closed loop: at most 1000 frames in our link and 2000 packets in flight, so the benchmark's own sink never
    // falls so far behind that the node's bounded link to it overflows (that would measure the sink, not the node).
    while (next < floodPackets.length && load.queuedFrames(target.id) < 1000 && next - received < 2000) {
      load.send(target, floodPackets[next++] as Uint8Array);
    }
    // Wait on a 1 ms timer, not setImmediate: a setImmediate loop spins a whole core while the window is full and
    // starves the node on a 2-core machine (this process used ~170 us of CPU per packet that way); the window holds
    // ~0.4 s of packets, so 1 ms of slack costs nothing.
    await sleep(1);
  }
  const deadline = performance.now() + 30_000;
  while (received < PACKETS && performance.now() < deadline) await sleep(20);
  const floodEnd = performance.now();
  const cpuA = cpuSeconds(pid1) - cpuA0;
  const selfA = process.cpuUsage(selfA0);
  const selfCpuA = (selfA.user + selfA.system) / 1e6;
  const receivedA = received;
  const perCpuSecond = receivedA / cpuA;
  const dropsA = await dropReasons(m1.httpPort as number);
  const lo = Math.floor(arrivals.length * 0.1);
  const hi = Math.floor(arrivals.length * 0.9);
  const steady = (hi - lo) / (((arrivals[hi] ?? 0) - (arrivals[lo] ?? 0)) / 1000);
  const overall = received / ((floodEnd - floodStart) / 1000);
  const lossA = PACKETS - received;
  if (flags.debug) console.error("after A", { load: load.stats(), sink: sink.stats() });

  // B: half that load, paced in 1 ms slots; the sink sees packets in send order (one FIFO stream, delay 0).
  const rate = Math.max(100, Math.floor(steady / 2));
  const halfCount = rate * HALF_SECONDS;
  const halfPackets = make(halfCount);
  received = 0;
  arrivals = [];
  const sentAt: number[] = [];
  const startB = performance.now();
  let i = 0;
  while (i < halfCount) {
    const due = Math.floor(((performance.now() - startB) / 1000) * rate);
    while (i < Math.min(due, halfCount)) {
      sentAt.push(performance.now());
      load.send(target, halfPackets[i++] as Uint8Array);
    }
    await sleep(1);
  }
  const deadlineB = performance.now() + 20_000;
  while (received < halfCount && performance.now() < deadlineB) await sleep(10);
  const lossB = halfCount - received;
  const latencies = arrivals.map((at, k) => at - (sentAt[k] as number)).sort((a, b) => a - b);
  const achievedB = received / ((performance.now() - startB) / 1000);

  // C: the node's peak resident memory.
  const status = readFileSync(`/proc/${pid1}/status`, "utf8");
  const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const rssMiB = hwmKiB / 1024;

  // D: end to end over [mix1, mix2, mix3, final hop], exponential delays of mean MU at each mix. The final hop
  // reads the packet's index from the identifier and compares with the moment it was handed to the transport.
  const e2e: number[] = [];
  const configured: number[] = [];
  const sentD: number[] = [];
  const carried: number[] = [];
  sink.onFrame((frame) => {
    try {
      const out = nymSphinx.processPacket(sinkKey, frame.subarray(1));
      if (out.kind !== "final") return;
      const k = new DataView(out.identifier.buffer, out.identifier.byteOffset).getUint32(0);
      const at = sentD[k];
      if (at === undefined) return;
      e2e.push(performance.now() - at);
      configured.push(carried[k] as number);
    } catch {
      // packets of phases A and B still draining
    }
  });
  for (let k = 0; k < E2E_PACKETS; k++) {
    const delays = [sampleExponential(MU), sampleExponential(MU), sampleExponential(MU), 0];
    const identifier = new Uint8Array(16);
    new DataView(identifier.buffer).setUint32(0, k);
    const packet = nymSphinx.createPacket({
      route: [hop(m1), hop(m2), hop(m3), sinkHop],
      delaysMs: delays,
      destination: new Uint8Array(32),
      identifier,
      message: new Uint8Array(16),
      payloadSize: PAYLOAD,
    });
    carried[k] = (delays[0] as number) + (delays[1] as number) + (delays[2] as number);
    sentD[k] = performance.now();
    load.send(target, encodeMixPacket(packet));
    await sleep(5);
  }
  const deadlineD = performance.now() + 15_000;
  while (e2e.length < E2E_PACKETS && performance.now() < deadlineD) await sleep(20);
  const e2eSorted = [...e2e].sort((a, b) => a - b);
  const meanE2e = e2e.reduce((a, b) => a + b, 0) / Math.max(1, e2e.length);
  const meanConfigured = configured.reduce((a, b) => a + b, 0) / Math.max(1, configured.length);

  console.log(
    `nym-mixnode benchmark (one mixnode process: ${useDist ? "dist/bin.js" : "src/bin.ts via tsx"} ${heapArgs.join(" ")}; libp2p TCP+Noise+Yamux; Sphinx 2413-byte packets)`,
  );
  console.log(`  load average at start: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  console.log(
    `  reference, this process: Sphinx unwrap ${f1(unwrapPerSec)}/s wall, ${f1(unwrapPerCpuSec)} per CPU-second (median of 5 batches of ${batch}); create (2 hops) ${f1(createPerSec)}/s`,
  );
  console.log(
    `A sustained throughput, delays 0: ${f1(steady)} packets/s steady (${f1(overall)}/s overall, ${PACKETS} sent, ${lossA} lost; drops at the node: ${dropsA})`,
  );
  console.log(
    `    vs target ${TARGET_PPS}/s: ${(steady / TARGET_PPS).toFixed(2)}x; vs bare Sphinx unwrap: ${(steady / unwrapPerSec).toFixed(2)}x`,
  );
  console.log(
    `    CPU-normalised (load-independent): ${f1(perCpuSecond)} packets per CPU-second of the mixnode (${f1(cpuA)} CPU-s for ${receivedA} packets) = ${(perCpuSecond / TARGET_PPS).toFixed(2)}x the ${TARGET_PPS}/s one-core target, ${(perCpuSecond / unwrapPerCpuSec).toFixed(2)}x a bare unwrap per CPU-second`,
  );
  const nodeUs = (cpuA / receivedA) * 1e6;
  const sphinxUs = 1e6 / unwrapPerCpuSec;
  console.log(
    `    per packet at the node: ${f1(nodeUs)} us of CPU = Sphinx unwrap ~${f1(sphinxUs)} us (the reference above, ${((100 * sphinxUs) / nodeUs).toFixed(0)} %) + ~${f1(nodeUs - sphinxUs)} us for the rest (transport in and out, engine, replay cache, GC; ${((100 * (nodeUs - sphinxUs)) / nodeUs).toFixed(0)} %)`,
  );
  console.log(
    `    load generator + sink + directory (this process) used ${f1(selfCpuA)} CPU-s during A (${f1((selfCpuA / receivedA) * 1e6)} us/packet); wall rate / CPU-normalised rate = ${(steady / perCpuSecond).toFixed(2)} (below 1: the node did not get a whole core)`,
  );
  console.log(
    `B at half load (${rate}/s offered, ${f1(achievedB)}/s achieved, ${lossB} lost): added latency p50 ${latencies.length ? pct(latencies, 0.5).toFixed(2) : "n/a"} ms, p99 ${latencies.length ? pct(latencies, 0.99).toFixed(2) : "n/a"} ms`,
  );
  console.log(
    `C peak RSS of the mixnode: ${f1(rssMiB)} MiB (target <= ${TARGET_RSS_MIB} MiB: ${(rssMiB / TARGET_RSS_MIB).toFixed(2)}x of budget)`,
  );
  console.log(
    `D end to end over 3 mixnodes, mu = ${MU} ms per hop: ${e2e.length}/${E2E_PACKETS} arrived, mean ${f1(meanE2e)} ms, p50 ${f1(pct(e2eSorted, 0.5))} ms, p99 ${f1(pct(e2eSorted, 0.99))} ms`,
  );
  console.log(
    `    vs the delays the packets carried (mean ${f1(meanConfigured)} ms, expected 3 x mu = ${3 * MU} ms): ratio ${(meanE2e / meanConfigured).toFixed(2)}, overhead ${f1(meanE2e - meanConfigured)} ms`,
  );

  await load.stop();
  await sink.stop();
  await net.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
