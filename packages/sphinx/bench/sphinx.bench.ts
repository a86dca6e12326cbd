/**
 * `pnpm bench`: for every format version (258, 259, 260) on both backends (sodium and node:crypto) and with both key
 * derivations (the native addon and the JS fallback, when the addon is built), in one run: packet creation (5 hops)
 * and per-hop processing, each with its bare crypto floor, alternated call by call so that the load of the shared
 * machine falls on all of them alike; SURB creation per version; then a breakdown of the floor, the key derivation
 * each way, the primitive choices (each primitive on both libraries) and keyed BLAKE2b on every Lioness size.
 *
 * The crypto floor is the primitives the operation must run on that backend, timed bare on the same inputs. A hop:
 * X25519 with the node key, the key derivation (HKDF-SHA256 to 288 bytes; with the payload key, HKDF-SHA256 of its
 * seed to 192 bytes, for 259 and 260, and on the native path for every version, as a node does not know the version
 * before it has the 288 bytes), HMAC-SHA256 over beta, the 360-byte AES-CTR header keystream, X25519 with the
 * blinding factor and one Lioness decryption of the payload. Creation: alpha = x*B, then per hop one X25519, the key
 * derivation (the payload key for 259/260 only), the keystream, the MAC and one Lioness encryption.
 * The summary gives each cell against 258 on the same backend and key derivation, and against 258 on the JS path
 * (the code before the addon). Then what 259 and 260 cost over 258, and the payload key four ways.
 *
 * Columns: p10 (the least disturbed tenth) and p50 (median); compare ratios within the run first.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import {
  currentBackend,
  getSphinxBackend as getSphinxBackendName,
  nodeBackend,
  type SphinxBackend,
  type SphinxBackendName,
} from "../src/backend.js";
import {
  availableSphinxBackends,
  createForwardPacket,
  createSphinxNode,
  createSurb,
  generateKeyPair,
  HEADER_LENGTH,
  PayloadSize,
  SPHINX_VERSIONS,
  type SphinxVersion,
} from "../src/index.js";
import {
  availableSphinxKeyDerivations,
  currentKeyDerivation as currentKdf,
  getSphinxKeyDerivation,
  jsKeyDerivation,
  type KeyDerivation,
  type KeyDerivationName,
  sphinxAddon,
  sphinxAddonLoadError,
} from "../src/key-derivation.js";
import { lionessDecrypt, lionessEncrypt } from "../src/lioness.js";
import {
  derivePayloadKey,
  derivePayloadKeyHkdfSync,
  expandSharedSecret,
  headerKeystream,
  headerMac,
} from "../src/primitives.js";
import { sodium } from "../src/sodium.js";
import { usePath, withBackend } from "../test/helpers.js";

const HOPS = Number(process.env.BENCH_HOPS ?? 3000);
const PACKETS = Number(process.env.BENCH_PACKETS ?? 300);

const backendNames = availableSphinxBackends().reverse(); // sodium first when it loads
const backendOf = (name: SphinxBackendName): SphinxBackend => withBackend(name, () => currentBackend());
const fast = currentBackend();
const kdfNames = availableSphinxKeyDerivations().reverse(); // native first when it loads
const defaultKdf = getSphinxKeyDerivation();
const kdfOf = (name: KeyDerivationName): KeyDerivation =>
  name === "js" ? jsKeyDerivation : (withKdf(name, () => currentKdf()) as KeyDerivation);
function withKdf<T>(name: KeyDerivationName, f: () => T): T {
  const restore = usePath(getSphinxBackendName(), name);
  try {
    return f();
  } finally {
    restore();
  }
}

const keys = Array.from({ length: 5 }, () => generateKeyPair());
const route = keys.map((k, i) => ({ address: new Uint8Array(32).fill(i + 1), publicKey: k.publicKey }));
const delays = [15, 15, 15, 15, 15];
const destination = { address: new Uint8Array(32).fill(0xdd), identifier: new Uint8Array(16).fill(1) };
const message = randomBytes(PayloadSize.regular - 17);
const pools = Object.fromEntries(
  SPHINX_VERSIONS.map((version) => [
    version,
    Array.from({ length: 64 }, () => createForwardPacket({ route, delays, destination, message, version }).packet),
  ]),
) as Record<SphinxVersion, Uint8Array[]>;

/** The 192-byte payload key of `version` from hop keys (288 bytes, or 480 with the payload key derived). */
function payloadKeyFrom(kd: KeyDerivation, keys: Uint8Array, v: number): Uint8Array {
  if (v === 258) return keys.subarray(32, 224);
  return keys.length >= 480 ? keys.subarray(288, 480) : kd.payloadKey(keys.subarray(32, 48));
}

/** The primitives of one forward hop of `version` on backend `b` with key derivation `kd`, bare. */
function hopFloor(
  b: SphinxBackend,
  kd: KeyDerivation,
  sk: ReturnType<SphinxBackend["privateKey"]>,
  packet: Uint8Array,
  v: number,
): void {
  const alpha = b.publicKey(packet.subarray(0, 32));
  const secret = kd.hopKeys(b.x25519(sk, alpha), kd.eagerPayloadKey);
  headerMac(secret.subarray(16, 32), packet.subarray(48, HEADER_LENGTH), b.sha256);
  headerKeystream(secret.subarray(0, 16));
  b.x25519(b.privateKey(secret.subarray(224, 256)), alpha);
  lionessDecrypt(payloadKeyFrom(kd, secret, v), packet.slice(HEADER_LENGTH), b);
}

/** The crypto a 5-hop sender of `version` cannot avoid on backend `b` with key derivation `kd`. */
function creationFloor(b: SphinxBackend, kd: KeyDerivation, v: number): void {
  const sk = b.privateKey(randomBytes(32));
  b.publicKeyOf(sk);
  const payload = new Uint8Array(PayloadSize.regular);
  for (const hopNode of route) {
    const secret = kd.hopKeys(b.x25519(sk, b.routeKey(hopNode.publicKey)), v !== 258);
    headerKeystream(secret.subarray(0, 16));
    headerMac(secret.subarray(16, 32), payload.subarray(0, 300), b.sha256);
    lionessEncrypt(payloadKeyFrom(kd, secret, v), payload, b);
  }
}

const now = () => process.hrtime.bigint();
const micros = (a: bigint, b: bigint) => Number(b - a) / 1e3;

/** A timed function, with an untimed step before each call (selecting its backend and key derivation). */
type Timed = (() => void) | { before: () => void; run: () => void };

/**
 * Runs the functions alternately, one call each per round in a fresh random order (a fixed order made whichever
 * function followed the node:crypto calls or the pool's index step pay ~20-30 us more, whatever it was), and returns
 * each one's per-call times.
 */
function alternate(rounds: number, warmup: number, timed: Timed[]): number[][] {
  const fns = timed.map((t) => (typeof t === "function" ? t : t.run));
  const befores = timed.map((t) => (typeof t === "function" ? undefined : t.before));
  const times = fns.map(() => [] as number[]);
  const order = fns.map((_, i) => i);
  for (let r = 0; r < rounds + warmup; r++) {
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(Math.random() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    for (const i of order) {
      befores[i]?.();
      const t0 = now();
      fns[i]!();
      const t1 = now();
      if (r >= warmup) times[i]!.push(micros(t0, t1));
    }
  }
  return times;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
const p10 = (xs: number[]) => quantile(xs, 0.1);
const p50 = (xs: number[]) => quantile(xs, 0.5);
const us = (v: number) => `${v.toFixed(1).padStart(8)} us`;
const x = (v: number) => `${v.toFixed(2).padStart(6)} x`;
const row = (name: string, xs: number[]) => console.log(`${name.padEnd(56)}${us(p10(xs))}${us(p50(xs))}`);

// Per-hop processing: every (backend, key derivation, version) with its floor, alternated in one loop.
interface Cell {
  backend: SphinxBackendName;
  kdf: KeyDerivationName;
  version: SphinxVersion;
}
const cells: Cell[] = backendNames.flatMap((backend) =>
  kdfNames.flatMap((kdf) => SPHINX_VERSIONS.map((version) => ({ backend, kdf, version }))),
);
const cellName = (c: Cell) => `${c.backend} ${c.kdf} v${c.version}`;
const select = (c: Cell) => () => {
  usePath(c.backend, c.kdf);
};
let next = 0;
const hopFns = cells.flatMap((cell) => {
  const { backend, kdf, version } = cell;
  const b = backendOf(backend);
  const kd = kdfOf(kdf);
  const node = withBackend(backend, () => createSphinxNode(keys[0]!.privateKey));
  const sk = b.privateKey(keys[0]!.privateKey);
  const pool = pools[version];
  return [
    {
      before: select(cell),
      run: () => {
        node.process(pool[next & 63]!);
      },
    },
    () => hopFloor(b, kd, sk, pool[next & 63]!, version),
  ];
});
// `next` moves on once per round (at a rotating position): every cell sees the same packets.
const hopTimes = alternate(HOPS, 300, [
  ...hopFns,
  () => {
    next++;
  },
]);

// Creation: every cell with its floor, and SURB creation per version on the fast backend and the default key
// derivation.
const createFns = cells.flatMap((cell) => {
  const b = backendOf(cell.backend);
  const kd = kdfOf(cell.kdf);
  const version = cell.version;
  return [
    { before: select(cell), run: () => createForwardPacket({ route, delays, destination, message, version }) },
    () => creationFloor(b, kd, version),
  ];
});
const surbFns = SPHINX_VERSIONS.map((version) => ({
  before: () => usePath(fast.name, defaultKdf),
  run: () => {
    createSurb({ route, delays, destination, version });
  },
}));
const alphaBytes = pools[258][0]!.subarray(0, 32);
const fastKey = fast.privateKey(keys[0]!.privateKey);
const createTimes = alternate(PACKETS, 30, [
  ...createFns,
  ...surbFns,
  () => {
    fast.x25519(fastKey, fast.publicKey(alphaBytes));
  },
]);
const surbTimes = createTimes.slice(createFns.length, createFns.length + surbFns.length);
const dh = createTimes[createTimes.length - 1]!;
usePath(fast.name, defaultKdf);

// Breakdown of the hop floor on the active backend, each primitive alternated with the others.
const sample = pools[259][1]!;
const alphaKey = fast.publicKey(sample.subarray(0, 32));
const shared = fast.x25519(fastKey, alphaKey);
const expanded = expandSharedSecret(shared);
const blinding = expanded.subarray(224, 256);
const payloadKey = expanded.subarray(32, 224);
const seed = expanded.subarray(32, 48);
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
  () => derivePayloadKey(seed),
]);
// The key derivation each way: the 288 bytes, and the 288 bytes with the payload key (one call on the native path).
const hopKeysOut = new Uint8Array(480);
const kdfWays: [string, () => void][] = [
  ["js: hkdfSync, 288 B", () => jsKeyDerivation.hopKeys(shared, false)],
  ["js: hkdfSync 288 B + payload key on our SHA-256", () => jsKeyDerivation.hopKeys(shared, true)],
  ...kdfNames
    .filter((k) => k === "native")
    .flatMap((): [string, () => void][] => [
      ["native: 288 B", () => kdfOf("native").hopKeys(shared, false)],
      ["native: 288 B + payload key, one call", () => kdfOf("native").hopKeys(shared, true)],
      ["native: the same into one preallocated array", () => sphinxAddon!.deriveHopKeys(shared, true, hopKeysOut)],
      ["native: an empty N-API call, for scale", () => sphinxAddon!.shaExtensions()],
    ]),
];
const kdfTimes = alternate(
  2000,
  100,
  kdfWays.map(([, f]) => f),
);

/**
 * The payload key of 259/260 written as HMAC-SHA256 over libsodium's incremental SHA-256 (the salt's inner and outer
 * states prepared once), to compare with node:crypto's one-call hkdfSync: sodium-native has no HMAC-SHA256 nor HKDF.
 */
type SodiumState = {
  crypto_hash_sha256_STATEBYTES: number;
  crypto_hash_sha256_init(state: Uint8Array): void;
  crypto_hash_sha256_update(state: Uint8Array, input: Uint8Array): void;
  crypto_hash_sha256_final(state: Uint8Array, out: Uint8Array): void;
};
function sodiumHkdf(): ((seed: Uint8Array) => Uint8Array) | undefined {
  if (sodium === undefined) return undefined;
  const na = createRequire(import.meta.url)("sodium-native") as SodiumState;
  const salt = new TextEncoder().encode("sphinx-payload-key-V01-CS01-HKDF:SHA256-SALT");
  const info = new TextEncoder().encode("sphinx-payload-key-V01-CS01-HKDF:SHA256-INFO");
  const states = (key: Uint8Array) => {
    const pads = [0x36, 0x5c].map((p) => Uint8Array.from({ length: 64 }, (_, i) => (key[i] ?? 0) ^ p));
    return pads.map((pad) => {
      const s = new Uint8Array(na.crypto_hash_sha256_STATEBYTES);
      na.crypto_hash_sha256_init(s);
      na.crypto_hash_sha256_update(s, pad);
      return s;
    }) as [Uint8Array, Uint8Array];
  };
  const [saltInner, saltOuter] = states(salt);
  const work = new Uint8Array(na.crypto_hash_sha256_STATEBYTES);
  const inner = new Uint8Array(32);
  const hmac = (si: Uint8Array, so: Uint8Array, data: Uint8Array, out: Uint8Array) => {
    work.set(si);
    na.crypto_hash_sha256_update(work, data);
    na.crypto_hash_sha256_final(work, inner);
    work.set(so);
    na.crypto_hash_sha256_update(work, inner);
    na.crypto_hash_sha256_final(work, out);
  };
  const block = new Uint8Array(32 + info.length + 1);
  return (s) => {
    const prk = new Uint8Array(32);
    hmac(saltInner, saltOuter, s, prk);
    const [pi, po] = states(prk);
    const out = new Uint8Array(192);
    for (let i = 0; i < 6; i++) {
      const t = out.subarray(32 * i, 32 * i + 32);
      if (i === 0) {
        block.set(info, 0);
        block[info.length] = 1;
        hmac(pi, po, block.subarray(0, info.length + 1), t);
      } else {
        block.set(out.subarray(32 * (i - 1), 32 * i), 0);
        block.set(info, 32);
        block[32 + info.length] = i + 1;
        hmac(pi, po, block, t);
      }
    }
    return out;
  };
}

// Primitive choices: each candidate on both libraries.
const compare = backendNames.includes("sodium");
const sodiumBackend = compare ? backendOf("sodium") : undefined;
const nodeKey = nodeBackend.privateKey(keys[0]!.privateKey);
const macInput = sample.subarray(0, 64 + 300);
const macOuter = sample.subarray(0, 96);
const hkdfOnSodium = sodiumHkdf();
if (hkdfOnSodium && Buffer.compare(hkdfOnSodium(seed), derivePayloadKeyHkdfSync(seed)) !== 0) {
  throw new Error("the libsodium HKDF of the bench disagrees with hkdfSync");
}
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
// The payload key of 259/260 four ways: the native addon (the default path), ours (HKDF on our unrolled SHA-256
// compression, the JS path), node:crypto's hkdfSync, and HMAC on libsodium's incremental SHA-256.
const payloadKeyWays: [string, () => void][] = [
  ...(sphinxAddon
    ? ([["native addon (RustCrypto hkdf + sha2)", () => kdfOf("native").payloadKey(seed)]] as [string, () => void][])
    : []),
  ["ours: HKDF on our SHA-256 compression (the JS path)", () => derivePayloadKey(seed)],
  ["node:crypto hkdfSync (createSecretKey + hkdfSync)", () => derivePayloadKeyHkdfSync(seed)],
  ...(hkdfOnSodium
    ? [["HMAC on libsodium's incremental SHA-256", () => hkdfOnSodium(seed)] as [string, () => void]]
    : []),
];
const payloadKeyTimes = alternate(
  2000,
  100,
  payloadKeyWays.map(([, f]) => f),
);
const choiceTimes = alternate(
  1500,
  100,
  choices.flatMap(([, a, b]) => [a, b]),
);

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

console.log(`sphinx benchmark: Node ${process.version}, ${PayloadSize.regular}-byte payload (2413-byte packets)`);
console.log(`backends: ${backendNames.join(", ")}; versions ${SPHINX_VERSIONS.join(", ")}`);
console.log(
  `key derivation: ${kdfNames.join(", ")}; default (the library's choice here): ${defaultKdf}; ` +
    (sphinxAddon
      ? `native = the addon packages/sphinx/native (RustCrypto hkdf + sha2, SHA extensions ${sphinxAddon.shaExtensions() ? "in use" : "absent: portable Rust"})`
      : `native unavailable (${sphinxAddonLoadError})`) +
    "; js = node:crypto hkdfSync + our SHA-256 in JavaScript for the payload key",
);
console.log(
  `${HOPS} rounds of hops and ${PACKETS} of creations, every cell alternated with the others and its floor\n`,
);
console.log(`${"".padEnd(56)}     p10      p50 (median)`);
cells.forEach((cell, i) => {
  row(`${cellName(cell)}: packet creation, 5 hops`, createTimes[2 * i]!);
  row(`${cellName(cell)}:   its crypto floor`, createTimes[2 * i + 1]!);
  row(`${cellName(cell)}: per-hop processing (forward hop)`, hopTimes[2 * i]!);
  row(`${cellName(cell)}:   its crypto floor`, hopTimes[2 * i + 1]!);
});
SPHINX_VERSIONS.forEach((version, i) => {
  row(`${fast.name} ${defaultKdf} v${version}: SURB creation, 5 hops`, surbTimes[i]!);
});
row("one X25519 (alpha as received), for scale", dh);

/** The index of 258 on `backend` with key derivation `kdf`. */
const base = (backend: SphinxBackendName, kdf: KeyDerivationName) =>
  cells.findIndex((c) => c.backend === backend && c.kdf === kdf && c.version === 258);
for (const [label, f] of [
  ["medians", p50],
  ["p10", p10],
] as const) {
  console.log(
    `\nsummary (${label}; "/258" = against 258 on the same backend and key derivation in this run, ` +
      `"/258 js" = against 258 on the same backend with the JS key derivation, the code before the addon)`,
  );
  console.log(
    `${"".padEnd(20)}${"create".padStart(11)}${"/floor".padStart(9)}${"/258".padStart(9)}${"/258 js".padStart(9)}` +
      `${"per hop".padStart(11)}${"/floor".padStart(9)}${"/258".padStart(9)}${"/258 js".padStart(9)}` +
      `${"hops/s".padStart(9)}`,
  );
  cells.forEach((cell, i) => {
    const same = base(cell.backend, cell.kdf);
    const js = base(cell.backend, "js");
    const create = f(createTimes[2 * i]!);
    const hop = f(hopTimes[2 * i]!);
    console.log(
      `${cellName(cell).padEnd(20)}${us(create)}${x(create / f(createTimes[2 * i + 1]!))}` +
        `${x(create / f(createTimes[2 * same]!))}${x(create / f(createTimes[2 * js]!))}` +
        `${us(hop)}${x(hop / f(hopTimes[2 * i + 1]!))}${x(hop / f(hopTimes[2 * same]!))}` +
        `${x(hop / f(hopTimes[2 * js]!))}${Math.round(1e6 / hop)
          .toString()
          .padStart(9)}`,
    );
  });
}
console.log("targets (258 on sodium): creation <= 400 us, >= 8000 hops/s, per hop <= 1.5 x its floor");

// What 259 and 260 add over 258 on the same backend and key derivation: on the JS path the payload key's HKDF once
// per hop and five times per creation; on the native path the payload key per created hop only (a processing node
// derives it for every version).
console.log("\nwhat 259/260 add to 258 (same backend and key derivation, this run), p10 / median");
cells.forEach((cell, i) => {
  if (cell.version === 258) return;
  const b258 = base(cell.backend, cell.kdf);
  const diff = (times: number[][], f: (xs: number[]) => number) => {
    const d = f(times[2 * i]!) - f(times[2 * b258]!);
    return `${d < 0 ? "-" : "+"}${Math.abs(d).toFixed(1)}`;
  };
  console.log(
    `  ${cellName(cell).padEnd(18)} per hop ${diff(hopTimes, p10)} / ${diff(hopTimes, p50)} us` +
      `   creation ${diff(createTimes, p10)} / ${diff(createTimes, p50)} us`,
  );
});

console.log(`\nkey derivation of one hop (${fast.name})                               p10      p50`);
kdfWays.forEach(([name], i) => {
  row(`  ${name}`, kdfTimes[i]!);
});

console.log(`\nfloor breakdown (${fast.name})`);
[
  `  X25519 with the node key${fast.name === "node" ? " (+ alpha import)" : ""}`,
  `  X25519 with the blinding factor${fast.name === "node" ? " (+ import: b*B)" : ""}`,
  "  HKDF-SHA256 to 288 bytes (hkdfSync, the JS path)",
  "  HMAC-SHA256 over beta (300 B)",
  "  AES-128-CTR header keystream (360 B)",
  "  Lioness decrypt of the payload (2 ChaCha20, 2 BLAKE2b)",
  "  259/260 only: payload key (HKDF to 192 B, JS path)",
].forEach((name, i) => {
  row(name, parts[i]!);
});
if (compare) {
  console.log(`\nprimitive choices (medians)                                     node      sodium  sodium/node`);
  choices.forEach(([name], i) => {
    const a = choiceTimes[2 * i]!;
    const b = choiceTimes[2 * i + 1]!;
    console.log(`  ${name.padEnd(60)}${us(p50(a))}${us(p50(b))}${x(p50(b) / p50(a))}`);
  });
}
console.log(`\npayload key from its seed (259, 260), HKDF-SHA256 16 -> 192 bytes        p10      p50`);
payloadKeyWays.forEach(([name], i) => {
  row(`  ${name}`, payloadKeyTimes[i]!);
});
console.log(`\nkeyed BLAKE2b-256, 64-byte key (medians)  @noble/hashes  libsodium   sodium/noble`);
for (const r of blakeRows) {
  const native = sodium ? `${us(p50(r.native))}${x(p50(r.native) / p50(r.noble))}` : "        n/a";
  console.log(`  ${`${r.name}: ${r.length} B`.padEnd(38)}${us(p50(r.noble)).padStart(14)}${native}`);
}
usePath(fast.name, defaultKdf);
