/**
 * `pnpm bench`: packet creation (5 hops), per-hop processing, SURB creation, hops/s on one core, and the same-run ratio
 * of per-hop processing to its crypto floor: the primitives one forward hop must run (the X25519 work: import alpha,
 * DH with the node key, import the blinding scalar, DH with it; HKDF; the header MAC; the header keystream; Lioness
 * decryption of the payload), timed bare on the same inputs.
 *
 * The machine is shared, so every quantity is measured in many short interleaved batches (one batch of each per
 * round, ~1-3 ms each). For each we print the best batch (the least disturbed by other processes, as `timeit` advises)
 * and the median batch; the summary and its ratios use the best batches, all from this same run.
 */
import { randomBytes } from "node:crypto";
import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  generateKeyPair,
  HEADER_LENGTH,
  PayloadSize,
} from "../src/index.js";
import { lionessDecrypt } from "../src/lioness.js";
import {
  expandSharedSecret,
  headerKeystream,
  headerMac,
  importPrivateKey,
  importPublicKey,
  x25519,
} from "../src/primitives.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);

const keys = Array.from({ length: 5 }, () => generateKeyPair());
const route = keys.map((k, i) => ({ address: new Uint8Array(32).fill(i + 1), publicKey: k.publicKey }));
const delays = [15, 15, 15, 15, 15];
const destination = { address: new Uint8Array(32).fill(0xdd), identifier: new Uint8Array(16) };
const message = randomBytes(PayloadSize.regular - 17);
const node = createSphinxNode(keys[0]!.privateKey);
const pool = Array.from({ length: 64 }, () => createForwardPacket({ route, delays, destination, message }).packet);
let next = 0;

const sample = pool[0]!;
const alpha = sample.subarray(0, 32);
const beta = sample.subarray(48, HEADER_LENGTH);
const sk = importPrivateKey(keys[0]!.privateKey);
const shared = x25519(sk, importPublicKey(alpha));
const expanded = expandSharedSecret(shared);
const blinding = expanded.subarray(224, 256);
const payload = sample.slice(HEADER_LENGTH);
const lionessKey = expanded.subarray(32, 224);

interface Task {
  name: string;
  iterations: number;
  run: () => void;
  samples: number[];
}
const task = (name: string, iterations: number, run: () => void): Task => ({ name, iterations, run, samples: [] });
const tasks = {
  create: task("packet creation, 5 hops", 4, () => {
    createForwardPacket({ route, delays, destination, message });
  }),
  surb: task("SURB creation, 5 hops", 4, () => {
    createSurb({ route, delays, destination });
  }),
  hop: task("per-hop processing (forward hop)", 10, () => {
    node.process(pool[next++ & 63]!);
  }),
  x25519: task("  X25519: import alpha, DH, import b, DH", 10, () => {
    const a = importPublicKey(alpha);
    x25519(sk, a);
    x25519(importPrivateKey(blinding), a);
  }),
  dh: task("  (one bare X25519 DH, for scale)", 30, () => {
    x25519(sk, importPublicKey(alpha));
  }),
  hkdf: task("  HKDF-SHA256 to 288 bytes", 100, () => {
    expandSharedSecret(shared);
  }),
  mac: task("  HMAC-SHA256 over beta (300 B)", 200, () => {
    headerMac(expanded.subarray(16, 32), beta);
  }),
  stream: task("  AES-128-CTR header keystream (360 B)", 200, () => {
    headerKeystream(expanded.subarray(0, 16));
  }),
  lioness: task("  Lioness decrypt of the 2065 B payload", 50, () => {
    lionessDecrypt(lionessKey, payload);
  }),
};
const all = Object.values(tasks);

for (let w = 0; w < 10; w++) for (const t of all) for (let i = 0; i < t.iterations; i++) t.run(); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const t of all) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < t.iterations; i++) t.run();
    t.samples.push(Number(process.hrtime.bigint() - start) / 1e3 / t.iterations);
  }
}
const best = (t: Task) => Math.min(...t.samples);
const median = (t: Task) => {
  const s = [...t.samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const us = (v: number) => `${v.toFixed(1).padStart(8)} us`;

console.log(`sphinx benchmark: Node ${process.version}, ${PayloadSize.regular}-byte payload (2413-byte packets)`);
console.log(`${ROUNDS} interleaved rounds; per batch time / iterations\n`);
console.log(`${"".padEnd(44)}    best      median`);
for (const t of all) console.log(`${t.name.padEnd(44)}${us(best(t))}${us(median(t))}`);

const create = best(tasks.create);
const hop = best(tasks.hop);
const floor = best(tasks.x25519) + best(tasks.hkdf) + best(tasks.mac) + best(tasks.stream) + best(tasks.lioness);
const floorMedian =
  median(tasks.x25519) + median(tasks.hkdf) + median(tasks.mac) + median(tasks.stream) + median(tasks.lioness);
console.log("\nsummary (best batches)                         measured    target");
console.log(`packet creation (5 hops)                    ${us(create)}    <= 400 us`);
console.log(`SURB creation (5 hops)                      ${us(best(tasks.surb))}`);
console.log(`per-hop processing                          ${us(hop)}`);
console.log(
  `hops per second, one core                   ${Math.round(1e6 / hop)
    .toString()
    .padStart(8)}       >= 8000`,
);
console.log(`crypto floor of one hop                     ${us(floor)}`);
console.log(`per-hop processing / crypto floor           ${(hop / floor).toFixed(2).padStart(8)} x     <= 1.5 x`);
console.log(
  `  same ratio from the median batches        ${(median(tasks.hop) / floorMedian).toFixed(2).padStart(8)} x`,
);
console.log(`per-hop processing / one bare X25519 DH     ${(hop / best(tasks.dh)).toFixed(2).padStart(8)} x`);
console.log(`packet creation / one bare X25519 DH        ${(create / best(tasks.dh)).toFixed(2).padStart(8)} x`);
