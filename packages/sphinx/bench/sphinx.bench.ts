/**
 * `pnpm bench`: packet creation (5 hops), per-hop processing, SURB creation, hops/s on one core, and the same-run ratio
 * of per-hop processing to its crypto floor.
 *
 * The crypto floor is the primitives one forward hop must run, timed bare on the same packet: import alpha, X25519
 * with the node key, HKDF-SHA256 to 288 bytes, HMAC-SHA256 over beta, the 360-byte AES-CTR header keystream, import
 * of the blinding scalar and X25519 with it, and one Lioness decryption of the payload.
 *
 * The machine is shared with other work, so hop and floor are timed alternately, one iteration each, and compared by
 * their distributions (p10 = the least disturbed tenth, p50 = median); the same for creation against one bare X25519.
 * A per-primitive breakdown follows.
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

const HOPS = Number(process.env.BENCH_HOPS ?? 4000);
const PACKETS = Number(process.env.BENCH_PACKETS ?? 400);

const keys = Array.from({ length: 5 }, () => generateKeyPair());
const route = keys.map((k, i) => ({ address: new Uint8Array(32).fill(i + 1), publicKey: k.publicKey }));
const delays = [15, 15, 15, 15, 15];
const destination = { address: new Uint8Array(32).fill(0xdd), identifier: new Uint8Array(16) };
const message = randomBytes(PayloadSize.regular - 17);
const node = createSphinxNode(keys[0]!.privateKey);
const sk = importPrivateKey(keys[0]!.privateKey);
const pool = Array.from({ length: 64 }, () => createForwardPacket({ route, delays, destination, message }).packet);

function floorOf(packet: Uint8Array): void {
  const alpha = importPublicKey(packet.subarray(0, 32));
  const secret = expandSharedSecret(x25519(sk, alpha));
  headerMac(secret.subarray(16, 32), packet.subarray(48, HEADER_LENGTH));
  headerKeystream(secret.subarray(0, 16));
  x25519(importPrivateKey(secret.subarray(224, 256)), alpha);
  lionessDecrypt(secret.subarray(32, 224), packet.slice(HEADER_LENGTH));
}

const now = () => process.hrtime.bigint();
const micros = (a: bigint, b: bigint) => Number(b - a) / 1e3;

/** Runs the functions alternately, one call each per round, and returns each one's per-call times. */
function alternate(rounds: number, warmup: number, fns: (() => void)[]): number[][] {
  const times = fns.map(() => [] as number[]);
  for (let r = 0; r < rounds + warmup; r++) {
    fns.forEach((f, i) => {
      const t0 = now();
      f();
      const t1 = now();
      if (r >= warmup) times[i]!.push(micros(t0, t1));
    });
  }
  return times;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
const us = (v: number) => `${v.toFixed(1).padStart(8)} us`;
const row = (name: string, xs: number[]) =>
  console.log(`${name.padEnd(42)}${us(quantile(xs, 0.1))}${us(quantile(xs, 0.5))}`);

let next = 0;
const [hop, floor] = alternate(HOPS, 300, [
  () => {
    node.process(pool[next & 63]!);
  },
  () => {
    floorOf(pool[next++ & 63]!);
  },
]) as [number[], number[]];
const [create, surb, dh] = alternate(PACKETS, 30, [
  () => {
    createForwardPacket({ route, delays, destination, message });
  },
  () => {
    createSurb({ route, delays, destination });
  },
  () => {
    x25519(sk, importPublicKey(pool[0]!.subarray(0, 32)));
  },
]) as [number[], number[], number[]];

// Breakdown of the floor, each primitive alternated with the others.
const sample = pool[1]!;
const alphaKey = importPublicKey(sample.subarray(0, 32));
const shared = x25519(sk, alphaKey);
const expanded = expandSharedSecret(shared);
const parts = alternate(2000, 100, [
  () => importPublicKey(sample.subarray(0, 32)),
  () => x25519(sk, alphaKey),
  () => importPrivateKey(expanded.subarray(224, 256)),
  () => expandSharedSecret(shared),
  () => headerMac(expanded.subarray(16, 32), sample.subarray(48, HEADER_LENGTH)),
  () => headerKeystream(expanded.subarray(0, 16)),
  () => lionessDecrypt(expanded.subarray(32, 224), sample.slice(HEADER_LENGTH)),
]);

console.log(`sphinx benchmark: Node ${process.version}, ${PayloadSize.regular}-byte payload (2413-byte packets)`);
console.log(`${HOPS} hops alternated with their bare crypto floor; ${PACKETS} packets, SURBs and X25519s alternated\n`);
console.log(`${"".padEnd(42)}     p10      p50 (median)`);
row("packet creation, 5 hops", create);
row("SURB creation, 5 hops", surb);
row("per-hop processing (forward hop)", hop);
row("crypto floor of one hop, bare", floor);
row("one X25519 (import alpha + DH), for scale", dh);
console.log("\nfloor breakdown");
[
  "  import alpha (raw-public)",
  "  X25519 DH",
  "  import blinding scalar (derives b*B)",
  "  HKDF-SHA256 to 288 bytes",
  "  HMAC-SHA256 over beta (300 B)",
  "  AES-128-CTR header keystream (360 B)",
  "  Lioness decrypt of the payload",
].forEach((name, i) => {
  row(name, parts[i]!);
});

const hop50 = quantile(hop, 0.5);
const ratio = (a: number[], b: number[], q: number) => (quantile(a, q) / quantile(b, q)).toFixed(2).padStart(8);
console.log("\nsummary (medians)                           measured    target");
console.log(`packet creation (5 hops)                  ${us(quantile(create, 0.5))}    <= 400 us`);
console.log(`SURB creation (5 hops)                    ${us(quantile(surb, 0.5))}`);
console.log(`per-hop processing                        ${us(hop50)}`);
console.log(
  `hops per second, one core                 ${Math.round(1e6 / hop50)
    .toString()
    .padStart(8)}       >= 8000`,
);
console.log(`per-hop processing / crypto floor         ${ratio(hop, floor, 0.5)} x     <= 1.5 x`);
console.log(`  the same at p10                         ${ratio(hop, floor, 0.1)} x`);
console.log(`per-hop processing / one X25519           ${ratio(hop, dh, 0.5)} x`);
console.log(`packet creation / one X25519              ${ratio(create, dh, 0.5)} x`);
