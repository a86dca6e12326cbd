/**
 * What a mix spends per packet besides Sphinx: one relay process between a load generator and a sink (this process),
 * all three on the real libp2p transport (TCP + Noise + Yamux, one stream per neighbour), flooded with pre-built
 * 2414-byte frames under a closed loop. Two relays, each in its own process:
 *   transport: every frame received is sent on unchanged (framing, Noise, Yamux and TCP on both sides);
 *   core:      the mixnode's packet path with a pass-through Sphinx codec: MixCore (replay check against a real
 *              SQLite-backed ReplayCache, next-hop lookup, forwarding, counters) over the same transport, so
 *              the difference to `transport` is the engine's own cost.
 * It prints the relay's packets per CPU-second and microseconds of CPU per packet (the load-independent figures),
 * wall-clock packets/s, and the CPU this process (load generator + sink) spent, to show whether it starved the relay.
 * Add the Sphinx unwrap's CPU per packet (packages/sphinx bench, or the mixnode bench's reference line) to the `core`
 * figure for a mix's whole per-packet cost.
 * Usage: pnpm bench [-- --packets 40000 --repeat 3 --modes transport,core,transport:libp2p-noise --semi 4 --profile DIR]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createLogger, parseFlags } from "@nym-ts/common";
import { DEFAULT_PAYLOAD_SIZE, FrameType, type ProcessedPacket, type SphinxCodec } from "@nym-ts/mixnet";
import { HEADER_LENGTH } from "@nym-ts/sphinx";
import { createLibp2pTransport, MixCore, ReplayCache } from "../src/index.js";

const { flags } = parseFlags(process.argv.slice(2));
/** A MIX_PACKET frame: type byte + Sphinx packet (header + regular payload), 2414 bytes. */
const FRAME = 1 + HEADER_LENGTH + DEFAULT_PAYLOAD_SIZE;
const TARGET_PPS = 5000;
const f1 = (x: number) => x.toFixed(1);

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A codec that "unwraps" by copying: the replay tag is the packet's first 16 bytes, the next hop is fixed. */
function passThroughCodec(nextHop: Uint8Array): SphinxCodec {
  const unused = () => {
    throw new Error("not used by the relay");
  };
  return {
    // The mix core checks a packet's size against the header length before any Sphinx work.
    headerLength: HEADER_LENGTH,
    payloadOverhead: 0,
    surbLength: 0,
    createPacket: unused,
    createSurb: unused,
    packetFromSurb: unused,
    decodePayload: unused,
    openSurbReply: unused,
    nodeKey: () => ({ publicKey: new Uint8Array(32) }),
    processPacket(_key, packet, isReplay): ProcessedPacket {
      const replayTag = packet.subarray(0, 16);
      if (isReplay?.(replayTag)) throw new Error("replay");
      // Sphinx output is a fresh buffer of the same size; so is this.
      return { kind: "forward", nextHop, delayMs: 0, packet: new Uint8Array(packet), replayTag };
    },
  };
}

async function relay(): Promise<void> {
  // "transport" or "core", optionally ":libp2p-noise" for @libp2p/noise's own crypto in the relay (for comparison).
  const [mode, variant] = (flags.mode ?? "transport").split(":");
  const sinkId = new Uint8Array(Buffer.from(flags.sinkId as string, "hex"));
  const sinkAddress = flags.sinkAddress as string;
  const transport = createLibp2pTransport({
    identitySeed: new Uint8Array(randomBytes(32)),
    listen: ["/ip4/127.0.0.1/tcp/0"],
    maxQueuedFrames: 4000,
    ...(flags.coalesce !== undefined ? { coalesceBytes: Number(flags.coalesce) } : {}),
    ...(variant === "libp2p-noise" ? { noiseCrypto: "libp2p-default" as const } : {}),
  });
  const sink = { id: sinkId, address: sinkAddress };
  let replay: ReplayCache | undefined;
  let counters: unknown;
  const dir = mkdtempSync(join(tmpdir(), "mix-relay-"));
  if (mode === "core") {
    replay = new ReplayCache({ path: join(dir, "replay.sqlite"), epoch: "bench" });
    const core = new MixCore(
      {
        layer: 1,
        maxDelayMs: 10_000,
        delayQueueCapacity: 20_000,
        loopRate: 0,
        loopMeanDelayMs: 20,
        payloadSize: DEFAULT_PAYLOAD_SIZE,
        loopTimeoutMs: 10_000,
      },
      {
        log: createLogger({ name: "relay", level: "warn" }),
        transport,
        sphinx: passThroughCodec(sinkId),
        sphinxKey: { publicKey: new Uint8Array(32) },
        replay,
      },
    );
    counters = core.counters;
    core.setTopology({
      mixnodes: [],
      gateways: [{ identityKey: sinkId, sphinxKey: new Uint8Array(32), address: sinkAddress }],
    });
    transport.onFrame((frame) => {
      if (!core.handleFrame(frame)) core.drop("unexpected_frame");
    });
  } else {
    transport.onFrame((frame) => {
      transport.send(sink, frame);
    });
  }
  await transport.start();
  console.log(
    JSON.stringify({ id: Buffer.from(transport.localId).toString("hex"), address: transport.listenAddresses()[0] }),
  );
  process.on("SIGTERM", () => {
    if (flags.debug !== undefined) console.error(mode, transport.stats(), counters ?? "");
    replay?.close();
    rmSync(dir, { recursive: true, force: true });
    transport.stop().finally(() => process.exit(0));
  });
}

interface RelayResult {
  mode: string;
  received: number;
  wallSeconds: number;
  relayCpu: number;
  selfCpu: number;
}

async function runRelay(mode: string, packets: Uint8Array[]): Promise<RelayResult> {
  let received = 0;
  const sink = createLibp2pTransport({
    identitySeed: new Uint8Array(randomBytes(32)),
    listen: ["/ip4/127.0.0.1/tcp/0"],
    maxQueuedFrames: 1,
  });
  sink.onFrame(() => {
    received++;
  });
  await sink.start();
  const semi = Number(flags.semi ?? 4);
  const args = [
    ...(semi > 0 ? [`--max-semi-space-size=${semi}`] : []),
    ...(flags.profile !== undefined ? ["--cpu-prof", `--cpu-prof-dir=${flags.profile}`] : []),
    ...(flags.nodeFlags !== undefined ? flags.nodeFlags.split(",") : []), // e.g. --nodeFlags=--trace-gc
    "--conditions=@nym-ts/source",
    "--import",
    "tsx",
    fileURLToPath(import.meta.url),
    "--role",
    "relay",
    "--mode",
    mode,
    "--sinkId",
    Buffer.from(sink.localId).toString("hex"),
    "--sinkAddress",
    sink.listenAddresses()[0] as string,
    ...(flags.debug !== undefined ? ["--debug", "1"] : []),
    ...(flags.coalesce !== undefined ? ["--coalesce", flags.coalesce] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      // The relay's address is its first JSON line; anything else it prints (e.g. --trace-gc) is passed on.
      rl.on("line", (l) => (l.startsWith("{") ? resolve(l) : console.error(l)));
      child.once("exit", (code) => reject(new Error(`relay exited with ${code}`)));
    });
    const info = JSON.parse(line) as { id: string; address: string };
    const target = { id: new Uint8Array(Buffer.from(info.id, "hex")), address: info.address };
    const load = createLibp2pTransport({
      identitySeed: new Uint8Array(randomBytes(32)),
      listen: [],
      maxQueuedFrames: 100_000,
    });
    await load.start();
    // Warm up the links and the JIT with a tenth of the packets (fresh replay tags: the flood reuses none of them).
    const warm = packets.length / 10;
    for (let i = 0; i < warm; i++) {
      const frame = new Uint8Array(packets[i] as Uint8Array);
      frame.set(randomBytes(16), 1);
      load.send(target, frame);
      if (i % 500 === 499) while (received < i - 1000) await new Promise((r) => setTimeout(r, 5));
    }
    const warmDeadline = performance.now() + 60_000;
    while (received < warm) {
      // A relay that forwards nothing would hang the bench: fail with what it is doing instead.
      if (performance.now() > warmDeadline) {
        throw new Error(`${mode} relay forwarded ${received} of ${warm} warm-up frames in 60 s (run with --debug)`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    received = 0;
    const pid = child.pid as number;
    const cpu0 = cpuSeconds(pid);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    while (next < packets.length) {
      while (next < packets.length && load.queuedFrames(target.id) < 1000 && next - received < 3000) {
        load.send(target, packets[next++] as Uint8Array);
      }
      await new Promise((r) => setTimeout(r, 1)); // not setImmediate: that would spin a core while the window is full
    }
    const deadline = performance.now() + 60_000;
    while (received < packets.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const wallSeconds = (performance.now() - t0) / 1000;
    const relayCpu = cpuSeconds(pid) - cpu0;
    const self = process.cpuUsage(self0);
    await load.stop();
    return { mode, received, wallSeconds, relayCpu, selfCpu: (self.user + self.system) / 1e6 };
  } finally {
    const exited = new Promise((r) => (child.exitCode !== null ? r(0) : child.once("exit", r)));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
    await sink.stop();
  }
}

async function main(): Promise<void> {
  const count = Number(flags.packets ?? 40_000);
  // Pre-built frames with distinct replay tags (bytes 1..16), so the generator spends nothing per packet on them;
  // views of one buffer, since tens of thousands of separate buffers held for the run cost the generator's GC dearly.
  const all = new Uint8Array(randomBytes(count * FRAME));
  const packets = Array.from({ length: count }, (_, i) => {
    const frame = all.subarray(i * FRAME, (i + 1) * FRAME);
    frame[0] = FrameType.MIX_PACKET;
    return frame;
  });
  const modes = (flags.modes ?? "transport,core").split(",");
  const repeat = Number(flags.repeat ?? 3);
  const loadStart = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  // Runs interleaved (transport, core, transport, core, ...) so a burst of load elsewhere hits both alike; the
  // median run of each mode is reported (by CPU per packet).
  const runs = new Map<string, RelayResult[]>(modes.map((m) => [m, []]));
  for (let i = 0; i < repeat; i++) for (const mode of modes) runs.get(mode)?.push(await runRelay(mode, packets));
  const us = (r: RelayResult) => (r.relayCpu / r.received) * 1e6;
  console.log(
    `mix relay benchmark (relay in its own process, libp2p TCP+Noise+Yamux, ${FRAME}-byte frames, ${count} per run, ` +
      `median of ${repeat} interleaved runs)`,
  );
  console.log(`  load average at start: ${loadStart}`);
  const medians: RelayResult[] = [];
  for (const [mode, list] of runs) {
    const sorted = [...list].sort((a, b) => us(a) - us(b));
    const r = sorted[Math.floor(sorted.length / 2)] as RelayResult;
    medians.push(r);
    console.log(
      `  ${mode.padEnd(9)}: ${f1(1e6 / us(r))} packets per CPU-second of the relay = ${f1(us(r))} us/packet ` +
        `(runs: ${sorted.map((x) => f1(us(x))).join(", ")} us; ${r.received}/${count} delivered); ` +
        `wall ${f1(r.received / r.wallSeconds)} packets/s; generator + sink ${f1((r.selfCpu / r.received) * 1e6)} us/packet`,
    );
  }
  const base = medians[0];
  const core = medians.find((r) => r.mode === "core") ?? base;
  if (base && core && core !== base) {
    console.log(`  engine cost beyond the bare transport (median - median): ${f1(us(core) - us(base))} us/packet`);
  }
  if (core) {
    const us = (core.relayCpu / core.received) * 1e6;
    const budget = 1e6 / TARGET_PPS;
    console.log(
      `  budget at the ${TARGET_PPS}/s one-core target: ${f1(budget)} us/packet; ${core.mode} uses ${f1(us)} us ` +
        `(${((100 * us) / budget).toFixed(0)} %), leaving ${f1(budget - us)} us/packet for the Sphinx unwrap`,
    );
  }
}

if (flags.role === "relay") {
  relay().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
