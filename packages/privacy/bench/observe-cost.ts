/**
 * What traffic observation costs a mix per packet: MixCore's receive-and-forward path with a pass-through Sphinx
 * codec (so the engine alone is measured, not the ~130-200 us Sphinx unwrap) and a transport that drops frames, in
 * three modes run interleaved: observation off (the default: one `if`), a no-op observer (the call and its
 * arguments), and the real TraceRecorder writing its file. Prints ns per packet (median of the rounds) and the
 * recorder's cost against a real Sphinx unwrap measured in the same run.
 *
 *   pnpm bench                      (packages/privacy)
 *   pnpm bench -- --packets 200000 --rounds 7
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "@nym-ts/common";
import {
  encodeMixPacket,
  generateX25519,
  type MixTransport,
  nymSphinx,
  type ProcessedPacket,
  type SphinxCodec,
} from "@nym-ts/mixnet";
import { MixCore, type PacketObserver, TraceRecorder } from "@nym-ts/mixnet-node";

const { values } = parseArgs({ options: { packets: { type: "string" }, rounds: { type: "string" } }, strict: false });
const PACKETS = Number(values.packets ?? 200_000);
const ROUNDS = Number(values.rounds ?? 7);
const log = createLogger({ name: "bench", level: "silent" });
const id = (n: number) => new Uint8Array(32).fill(n);
const nextHop = id(2);

const passThrough: SphinxCodec = {
  headerLength: 0,
  payloadOverhead: 0,
  surbLength: 0,
  createPacket: () => new Uint8Array(0),
  createSurb: () => ({ surb: new Uint8Array(0), recoveryKeys: new Uint8Array(0) }),
  packetFromSurb: () => ({ firstHop: new Uint8Array(32), packet: new Uint8Array(0) }),
  decodePayload: (p) => p,
  openSurbReply: (_k, p) => p,
  nodeKey: () => ({ publicKey: new Uint8Array(32) }),
  processPacket(_key, packet): ProcessedPacket {
    return { kind: "forward", nextHop, delayMs: 0, packet, replayTag: packet.subarray(0, 16) };
  },
};

function core(observer: PacketObserver | undefined): MixCore {
  const transport = { localId: id(1), send: () => true } as unknown as MixTransport;
  const c = new MixCore(
    {
      layer: 1,
      maxDelayMs: 1000,
      delayQueueCapacity: 10,
      loopRate: 0,
      loopMeanDelayMs: 1,
      payloadSize: 2065,
      loopTimeoutMs: 1000,
    },
    {
      log,
      transport,
      sphinx: passThrough,
      sphinxKey: { publicKey: new Uint8Array(32) },
      replay: { has: () => false, add: () => {} },
    },
  );
  c.observer = observer;
  c.setTopology({
    mixnodes: [
      { identityKey: id(1), sphinxKey: new Uint8Array(32), layer: 1, address: "/ip4/127.0.0.1/tcp/1" },
      { identityKey: id(2), sphinxKey: new Uint8Array(32), layer: 2, address: "/ip4/127.0.0.1/tcp/2" },
    ],
    gateways: [],
  });
  return c;
}

const frame = encodeMixPacket(new Uint8Array(2413));
const from = id(7);
function run(c: MixCore): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < PACKETS; i++) c.handleFrame(frame, from);
  return Number(process.hrtime.bigint() - t0) / PACKETS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const dir = mkdtempSync(join(tmpdir(), "observe-bench-"));
const path = join(dir, "observe.trace");
const recorder = new TraceRecorder({ path, maxBytes: 2 ** 40, self: id(1), role: 1 }, log);
const modes: [string, MixCore][] = [
  ["off", core(undefined)],
  ["no-op observer", core({ packet: () => {} })],
  ["recording", core(recorder)],
];
const times = new Map<string, number[]>(modes.map(([m]) => [m, []]));
for (const [, c] of modes) run(c); // warm-up
for (let r = 0; r < ROUNDS; r++) for (const [m, c] of modes) times.get(m)?.push(run(c));
recorder.close();
const bytes = statSync(path).size;
rmSync(dir, { recursive: true, force: true });

// A real Sphinx unwrap in the same run, for scale.
const keys = [generateX25519(), generateX25519()];
const nodeKey = nymSphinx.nodeKey(keys[0]!.secretKey);
const packets = Array.from({ length: 200 }, () =>
  nymSphinx.createPacket({
    route: [
      { address: id(1), publicKey: keys[0]!.publicKey },
      { address: id(2), publicKey: keys[1]!.publicKey },
    ],
    delaysMs: [0, 0],
    destination: id(9),
    identifier: new Uint8Array(16),
    message: new Uint8Array(100),
    payloadSize: 2065,
  }),
);
const s0 = process.hrtime.bigint();
for (const p of packets) nymSphinx.processPacket(nodeKey, p);
const unwrapNs = Number(process.hrtime.bigint() - s0) / packets.length;

const off = median(times.get("off") as number[]);
console.log(`MixCore receive + forward, pass-through Sphinx, ${PACKETS} packets x ${ROUNDS} rounds (median):`);
for (const [m] of modes) {
  const t = median(times.get(m) as number[]);
  console.log(
    `  ${m.padEnd(15)} ${t.toFixed(0).padStart(6)} ns/packet  (${(t - off >= 0 ? "+" : "") + (t - off).toFixed(0)} ns vs off)`,
  );
}
const rec = median(times.get("recording") as number[]) - off;
console.log(
  `  trace written: ${(bytes / 1e6).toFixed(1)} MB (${(bytes / (PACKETS * (ROUNDS + 1) * 2)).toFixed(1)} bytes per record)`,
);
console.log(
  `  Sphinx unwrap in this run: ${(unwrapNs / 1000).toFixed(0)} us/packet; recording adds ${((100 * rec) / unwrapNs).toFixed(2)} % of it`,
);
