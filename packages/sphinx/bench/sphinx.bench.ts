/**
 * `pnpm bench`: packet creation (5 hops), per-hop processing, SURB creation, hops/s on one core, and the same-run ratio
 * of per-hop processing to its crypto floor, on the active backend (sodium unless NYM_SPHINX_BACKEND=node), with the
 * node:crypto reference path measured in the same run for comparison.
 *
 * The crypto floor is the primitives one forward hop must run on that backend, timed bare on the same packet: X25519
 * with the node key, HKDF-SHA256 to 288 bytes, HMAC-SHA256 over beta, the 360-byte AES-CTR header keystream, X25519
 * with the blinding factor, and one Lioness decryption of the payload (on node:crypto also the two key imports,
 * which that path cannot avoid).
 *
 * The machine is shared with other work, so the measured functions are timed alternately, one call each per round,
 * and compared by their distributions (p10 = the least disturbed tenth, p50 = median). A per-primitive breakdown and
 * the primitive choices (each primitive on both libraries) follow.
 */
import { randomBytes } from "node:crypto";
import { currentBackend, nodeBackend, type SphinxBackend, type SphinxBackendName } from "../src/backend.js";
import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  generateKeyPair,
  getSphinxBackend,
  HEADER_LENGTH,
  PayloadSize,
  setSphinxBackend,
} from "../src/index.js";
import { lionessDecrypt, lionessEncrypt } from "../src/lioness.js";
import { expandSharedSecret, headerKeystream, headerMac } from "../src/primitives.js";
import { sodium } from "../src/sodium.js";
import { withBackend } from "../test/helpers.js";

const HOPS = Number(process.env.BENCH_HOPS ?? 4000);
const PACKETS = Number(process.env.BENCH_PACKETS ?? 400);

const fast = currentBackend();
const compare = fast.name !== "node";
const backendOf = (name: SphinxBackendName): SphinxBackend => {
  const previous = getSphinxBackend();
  setSphinxBackend(name);
  const b = currentBackend();
  setSphinxBackend(previous);
  return b;
};

const keys = Array.from({ length: 5 }, () => generateKeyPair());
const route = keys.map((k, i) => ({ address: new Uint8Array(32).fill(i + 1), publicKey: k.publicKey }));
const delays = [15, 15, 15, 15, 15];
const destination = { address: new Uint8Array(32).fill(0xdd), identifier: new Uint8Array(16) };
const message = randomBytes(PayloadSize.regular - 17);
const pool = Array.from({ length: 64 }, () => createForwardPacket({ route, delays, destination, message }).packet);
const node = createSphinxNode(keys[0]!.privateKey);
const referenceNode = withBackend("node", () => createSphinxNode(keys[0]!.privateKey));
const fastKey = fast.privateKey(keys[0]!.privateKey);
const nodeKey = nodeBackend.privateKey(keys[0]!.privateKey);

function floorOf(b: SphinxBackend, sk: ReturnType<SphinxBackend["privateKey"]>, packet: Uint8Array): void {
  const alpha = b.publicKey(packet.subarray(0, 32));
  const secret = expandSharedSecret(b.x25519(sk, alpha));
  headerMac(secret.subarray(16, 32), packet.subarray(48, HEADER_LENGTH), b.sha256);
  headerKeystream(secret.subarray(0, 16));
  b.x25519(b.privateKey(secret.subarray(224, 256)), alpha);
  lionessDecrypt(secret.subarray(32, 224), packet.slice(HEADER_LENGTH), b);
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
  console.log(`${name.padEnd(50)}${us(quantile(xs, 0.1))}${us(quantile(xs, 0.5))}`);
const ratio = (a: number[], b: number[], q: number) => (quantile(a, q) / quantile(b, q)).toFixed(2).padStart(8);

let next = 0;
const [hop, floor, nodeHop, nodeFloor] = alternate(HOPS, 300, [
  () => {
    node.process(pool[next & 63]!);
  },
  () => {
    floorOf(fast, fastKey, pool[next & 63]!);
  },
  compare
    ? () => {
        referenceNode.process(pool[next & 63]!);
      }
    : () => {},
  compare
    ? () => {
        floorOf(nodeBackend, nodeKey, pool[next++ & 63]!);
      }
    : () => {
        next++;
      },
]) as [number[], number[], number[], number[]];
const alphaBytes = pool[0]!.subarray(0, 32);
/**
 * The crypto a 5-hop sender cannot avoid: alpha = x*B (fixed base), one X25519 per hop, and per hop HKDF, the header
 * keystream, the MAC and one Lioness encryption of the payload.
 */
function creationFloor(b: SphinxBackend): void {
  const x = randomBytes(32);
  const sk = b.privateKey(x);
  b.publicKeyOf(sk);
  const payload = new Uint8Array(PayloadSize.regular);
  for (const hopNode of route) {
    const secret = expandSharedSecret(b.x25519(sk, b.routeKey(hopNode.publicKey)));
    headerKeystream(secret.subarray(0, 16));
    headerMac(secret.subarray(16, 32), payload.subarray(0, 300), b.sha256);
    lionessEncrypt(secret.subarray(32, 224), payload, b);
  }
}

const [create, createFloor, surb, dh, nodeCreate] = alternate(PACKETS, 30, [
  () => {
    createForwardPacket({ route, delays, destination, message });
  },
  () => creationFloor(fast),
  () => {
    createSurb({ route, delays, destination });
  },
  () => {
    fast.x25519(fastKey, fast.publicKey(alphaBytes));
  },
  compare
    ? () => {
        withBackend("node", () => createForwardPacket({ route, delays, destination, message }));
      }
    : () => {},
]) as [number[], number[], number[], number[], number[]];

// Breakdown of the floor on the active backend, each primitive alternated with the others.
const sample = pool[1]!;
const alphaKey = fast.publicKey(sample.subarray(0, 32));
const shared = fast.x25519(fastKey, alphaKey);
const expanded = expandSharedSecret(shared);
const blinding = expanded.subarray(224, 256);
const payloadKey = expanded.subarray(32, 224);
const right = sample.subarray(HEADER_LENGTH + 32);
const chachaKey = randomBytes(32);
const blakeKey = randomBytes(64);
const digest = new Uint8Array(32);
const parts = alternate(2000, 100, [
  () => fast.x25519(fastKey, fast.publicKey(sample.subarray(0, 32))),
  () => fast.x25519(fast.privateKey(blinding), alphaKey),
  () => expandSharedSecret(shared),
  () => headerMac(expanded.subarray(16, 32), sample.subarray(48, HEADER_LENGTH), fast.sha256),
  () => headerKeystream(expanded.subarray(0, 16)),
  () => lionessDecrypt(payloadKey, sample.slice(HEADER_LENGTH), fast),
]);

// Primitive choices: each candidate on both libraries (sodium-native exposes no HMAC-SHA256, HKDF nor AES-CTR, so
// for the MAC the comparison is its two SHA-256 calls).
const sodiumBackend = compare ? backendOf("sodium") : undefined;
const macInput = sample.subarray(0, 64 + 300);
const macOuter = sample.subarray(0, 96);
const choices: [string, () => void, () => void][] = compare
  ? [
      [
        "X25519 (alpha as received, node key prepared)",
        () => nodeBackend.x25519(nodeKey, nodeBackend.publicKey(sample.subarray(0, 32))),
        () => sodiumBackend!.x25519(fastKey, sodiumBackend!.publicKey(sample.subarray(0, 32))),
      ],
      [
        "X25519 with a fresh scalar (blinding)",
        () => nodeBackend.x25519(nodeBackend.privateKey(blinding), nodeBackend.publicKey(sample.subarray(0, 32))),
        () => sodiumBackend!.x25519(sodiumBackend!.privateKey(blinding), alphaKey),
      ],
      [
        "X25519 base point (sender's alpha)",
        () => nodeBackend.publicKeyOf(nodeBackend.privateKey(blinding)),
        () => sodiumBackend!.publicKeyOf(blinding),
      ],
      [
        "ChaCha20, 2033 B in place",
        () => nodeBackend.chacha20Xor(chachaKey, right),
        () => sodiumBackend!.chacha20Xor(chachaKey, right),
      ],
      [
        "keyed BLAKE2b-256, 2033 B (@noble/hashes / libsodium)",
        () => nodeBackend.blake2b(right, blakeKey, digest),
        () => sodiumBackend!.blake2b(right, blakeKey, digest),
      ],
      [
        "SHA-256 of 364 B + 96 B (the MAC's two hashes)",
        () => {
          nodeBackend.sha256(macInput, digest);
          nodeBackend.sha256(macOuter, digest);
        },
        () => {
          sodiumBackend!.sha256(macInput, digest);
          sodiumBackend!.sha256(macOuter, digest);
        },
      ],
    ]
  : [];
const choiceTimes = alternate(
  1500,
  100,
  choices.flatMap(([, a, b]) => [a, b]),
);

console.log(`sphinx benchmark: Node ${process.version}, ${PayloadSize.regular}-byte payload (2413-byte packets)`);
console.log(`backend: ${fast.name}${compare ? " (node:crypto reference path measured alongside)" : ""}`);
console.log(`${HOPS} hops alternated with their bare crypto floor; ${PACKETS} packets, SURBs and X25519s alternated\n`);
console.log(`${"".padEnd(50)}     p10      p50 (median)`);
row("packet creation, 5 hops", create);
row("crypto floor of creation, bare", createFloor);
row("SURB creation, 5 hops", surb);
row("per-hop processing (forward hop)", hop);
row("crypto floor of one hop, bare", floor);
row("one X25519 (alpha as received), for scale", dh);
if (compare) {
  row("node:crypto path: packet creation, 5 hops", nodeCreate);
  row("node:crypto path: per-hop processing", nodeHop);
  row("node:crypto path: its crypto floor", nodeFloor);
}
console.log(`\nfloor breakdown (${fast.name})`);
[
  `  X25519 with the node key${fast.name === "node" ? " (+ alpha import)" : ""}`,
  `  X25519 with the blinding factor${fast.name === "node" ? " (+ import: b*B)" : ""}`,
  "  HKDF-SHA256 to 288 bytes",
  "  HMAC-SHA256 over beta (300 B)",
  "  AES-128-CTR header keystream (360 B)",
  "  Lioness decrypt of the payload (2 ChaCha20, 2 BLAKE2b)",
].forEach((name, i) => {
  row(name, parts[i]!);
});
if (compare) {
  console.log(`\nprimitive choices (medians)                            node:crypto    sodium   sodium/node`);
  choices.forEach(([name], i) => {
    const a = choiceTimes[2 * i]!;
    const b = choiceTimes[2 * i + 1]!;
    console.log(`  ${name.padEnd(52)}${us(quantile(a, 0.5))}${us(quantile(b, 0.5))}${ratio(b, a, 0.5)} x`);
  });
}

// Keyed BLAKE2b-256 (64-byte key) side by side on every size Lioness hashes: the right part of each payload size
// class (payload - 32 bytes), alternated per call like the rest, medians compared. The node path's @noble/hashes
// against the sodium path's libsodium. A hand-made WebAssembly BLAKE2b was measured here too and removed, being
// slower than libsodium at every size (run of this bench, medians, us for 6 / 2033 / 8177 / 16369 / 32753 bytes:
// WebAssembly 0.9 / 3.9 / 13.7 / 17.9 / 35.7, libsodium 0.9 / 2.8 / 9.2 / 15.6 / 30.9, @noble 12.2 / 81.5 / 299.8 /
// 347.9 / 713.6); see backend.ts.
const blakeRows = Object.entries(PayloadSize).map(([name, size]) => {
  const length = size - 32;
  const data = randomBytes(length);
  const out = new Uint8Array(32);
  const rounds = Math.max(200, Math.min(3000, Math.floor(2_000_000 / (length + 256))));
  const [noble, native] = alternate(rounds, 50, [
    () => nodeBackend.blake2b(data, blakeKey, out),
    sodium ? () => sodium!.crypto_generichash(out, data, blakeKey) : () => {},
  ]) as [number[], number[]];
  return { name, length, noble, native };
});
console.log(`\nkeyed BLAKE2b-256, 64-byte key (medians)  @noble/hashes  libsodium   sodium/noble`);
for (const r of blakeRows) {
  const native = sodium ? `${us(quantile(r.native, 0.5))}${ratio(r.native, r.noble, 0.5)} x` : "        n/a";
  console.log(`  ${`${r.name}: ${r.length} B`.padEnd(38)}${us(quantile(r.noble, 0.5)).padStart(14)}${native}`);
}

const hop50 = quantile(hop, 0.5);
console.log("\nsummary (medians)                                   measured    target");
console.log(`packet creation (5 hops)                          ${us(quantile(create, 0.5))}    <= 400 us`);
console.log(`SURB creation (5 hops)                            ${us(quantile(surb, 0.5))}`);
console.log(`per-hop processing                                ${us(hop50)}`);
console.log(
  `hops per second, one core                         ${Math.round(1e6 / hop50)
    .toString()
    .padStart(8)}       >= 8000`,
);
console.log(`per-hop processing / crypto floor                 ${ratio(hop, floor, 0.5)} x     <= 1.5 x`);
console.log(`  the same at p10                                 ${ratio(hop, floor, 0.1)} x`);
console.log(`per-hop processing / one X25519                   ${ratio(hop, dh, 0.5)} x`);
console.log(`packet creation / its crypto floor                ${ratio(create, createFloor, 0.5)} x`);
console.log(`packet creation / one X25519                      ${ratio(create, dh, 0.5)} x`);
if (compare) {
  console.log(`per-hop processing, ${fast.name} / node:crypto            ${ratio(hop, nodeHop, 0.5)} x`);
  console.log(`packet creation, ${fast.name} / node:crypto               ${ratio(create, nodeCreate, 0.5)} x`);
  console.log(`node:crypto path per-hop / its floor              ${ratio(nodeHop, nodeFloor, 0.5)} x`);
}
