/**
 * `pnpm bench`: packet creation (5 hops), per-hop processing, SURB creation, hops/s on one core, and the same-run ratio
 * of per-hop processing to its crypto floor (the primitives one hop must run, timed bare on the same inputs).
 * Each figure is the median of several timed batches, so a burst of load from other processes moves it less.
 */
import { createSecretKey, randomBytes } from "node:crypto";
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

function measure(name: string, iterations: number, f: () => void, batches = 7): number {
  for (let i = 0; i < Math.max(20, iterations / 5); i++) f();
  const results: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) f();
    results.push(Number(process.hrtime.bigint() - start) / 1e3 / iterations);
  }
  results.sort((a, b) => a - b);
  const median = results[Math.floor(results.length / 2)]!;
  console.log(`${name.padEnd(46)} ${median.toFixed(1).padStart(8)} us`);
  return median;
}

const keys = Array.from({ length: 5 }, () => generateKeyPair());
const route = keys.map((k, i) => ({ address: new Uint8Array(32).fill(i + 1), publicKey: k.publicKey }));
const delays = [15, 15, 15, 15, 15];
const destination = { address: new Uint8Array(32).fill(0xdd), identifier: new Uint8Array(16) };
const message = randomBytes(PayloadSize.regular - 17);
const node = createSphinxNode(keys[0]!.privateKey);

console.log(`sphinx benchmark: Node ${process.version}, ${PayloadSize.regular}-byte payload (2413-byte packets)\n`);

const create = measure("packet creation, 5 hops", 200, () => {
  createForwardPacket({ route, delays, destination, message });
});
const surb = measure("SURB creation, 5 hops", 200, () => {
  createSurb({ route, delays, destination });
});

// Per-hop processing over a pool of distinct packets (as a node sees them).
const pool = Array.from({ length: 64 }, () => createForwardPacket({ route, delays, destination, message }).packet);
let next = 0;
const hop = measure("per-hop processing (forward hop)", 400, () => {
  node.process(pool[next++ & 63]!);
});

// Crypto floor: the same primitives a forward hop runs, bare, on the same kind of inputs.
const sample = pool[0]!;
const alpha = sample.subarray(0, 32);
const beta = sample.subarray(48, HEADER_LENGTH);
const sk = importPrivateKey(keys[0]!.privateKey);
const shared = x25519(sk, importPublicKey(alpha));
const expanded = expandSharedSecret(shared);
const blinding = expanded.subarray(256 - 32, 256);
const payload = sample.slice(HEADER_LENGTH);
console.log("\ncrypto floor of one hop, parts:");
const fX25519 = measure("  X25519: import alpha, 2 DH, import blinding", 400, () => {
  const a = importPublicKey(alpha);
  x25519(sk, a);
  x25519(importPrivateKey(blinding), a);
});
const fHkdf = measure("  HKDF-SHA256 to 288 bytes", 2000, () => {
  expandSharedSecret(shared);
});
const fMac = measure("  HMAC-SHA256 over beta (300 B)", 4000, () => {
  headerMac(expanded.subarray(16, 32), beta);
});
const fStream = measure("  AES-128-CTR header stream (360 B)", 4000, () => {
  headerKeystream(expanded.subarray(0, 16));
});
const lionessKey = expanded.subarray(32, 224);
const fPayload = measure("  Lioness decrypt of the payload", 1000, () => {
  lionessDecrypt(lionessKey, payload);
});
const floor = fX25519 + fHkdf + fMac + fStream + fPayload;
void createSecretKey;

console.log("\nsummary");
console.log(`packet creation (5 hops)      ${create.toFixed(1).padStart(8)} us   target <= 400 us`);
console.log(`SURB creation (5 hops)        ${surb.toFixed(1).padStart(8)} us`);
console.log(`per-hop processing            ${hop.toFixed(1).padStart(8)} us`);
console.log(
  `hops per second, one core     ${Math.round(1e6 / hop)
    .toString()
    .padStart(8)}      target >= 8000`,
);
console.log(`crypto floor of one hop       ${floor.toFixed(1).padStart(8)} us`);
console.log(`per-hop / crypto floor        ${(hop / floor).toFixed(2).padStart(8)} x    target <= 1.5 x`);
console.log(
  `one bare X25519 DH (for scale)${measure("", 400, () => x25519(sk, importPublicKey(alpha))).toFixed(1)} us`,
);
