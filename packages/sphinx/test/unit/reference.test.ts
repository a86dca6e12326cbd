/**
 * Cross-implementation check: a second, deliberately naive implementation of the nym 258/259/260 layouts, written straight
 * from reference/sphinx-loopix.md section 7 on independent primitives (@noble: pure-JS X25519 with nym's chained
 * blindings, HKDF, HMAC, AES-CTR, the original 64-bit-nonce ChaCha20, keyed BLAKE2b). It shares no code with src/
 * except the constants of the format (and @noble/hashes' BLAKE2b, which the node backend also uses), so it catches
 * errors in our fast paths: the one-multiplication-per-hop scalar trick, libsodium's BLAKE2b and ChaCha20 calls,
 * OpenSSL's ChaCha20 IV layout, key import shortcuts. For 259 and 260 the payload key is HKDF-SHA256 of the 16-byte
 * seed with the crate's salt and info strings (copied here as text, not imported from src/).
 */
import { ctr } from "@noble/ciphers/aes.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { createForwardPacket, createSphinxNode, PayloadSize, type RandomSource, SphinxError } from "../../src/index.js";
import { makeRoute, seededRandom } from "../helpers.js";

const INFO = new TextEncoder().encode(
  "Dwste mou enan moxlo arketa makru kai ena upomoxlio gia na ton topothetisw kai tha kinisw thn gh.",
);
const VERSION = [0, 1, 2];
const SEED_SALT = new TextEncoder().encode("sphinx-payload-key-V01-CS01-HKDF:SHA256-SALT");
const SEED_INFO = new TextEncoder().encode("sphinx-payload-key-V01-CS01-HKDF:SHA256-INFO");

/** 258's payload key is the HKDF output's 192 bytes; 259 and 260 expand its first 16 bytes (the seed). */
const payloadKey = (pi: Uint8Array, version: number[]) =>
  (version[1]! << 8) + version[2]! >= 259 ? hkdf(sha256, pi.slice(0, 16), SEED_SALT, SEED_INFO, 192) : pi;

const keys = (s: Uint8Array) => {
  const k = hkdf(sha256, s, new Uint8Array(0), INFO, 288);
  return {
    rho: k.slice(0, 16),
    mu: k.slice(16, 32),
    pi: k.slice(32, 224),
    b: k.slice(224, 256),
    tau: k.slice(256, 288),
  };
};
const stream = (key: Uint8Array) => ctr(key, new Uint8Array(16)).encrypt(new Uint8Array(360));
const mac = (key: Uint8Array, data: Uint8Array) => hmac(sha256, key, data).slice(0, 16);
const xor = (a: Uint8Array, b: Uint8Array) => a.map((v, i) => v ^ b[i]!);

function lionessEnc(key: Uint8Array, block: Uint8Array): Uint8Array {
  let l = block.slice(0, 32);
  let r = block.slice(32);
  r = chacha20orig(xor(l, key.slice(0, 32)), new Uint8Array(8), r);
  l = xor(l, blake2b(r, { key: key.slice(32, 96), dkLen: 32 }));
  r = chacha20orig(xor(l, key.slice(96, 128)), new Uint8Array(8), r);
  l = xor(l, blake2b(r, { key: key.slice(128, 192), dkLen: 32 }));
  return Uint8Array.from([...l, ...r]);
}

function lionessDec(key: Uint8Array, block: Uint8Array): Uint8Array {
  let l = block.slice(0, 32);
  let r = block.slice(32);
  l = xor(l, blake2b(r, { key: key.slice(128, 192), dkLen: 32 }));
  r = chacha20orig(xor(l, key.slice(96, 128)), new Uint8Array(8), r);
  l = xor(l, blake2b(r, { key: key.slice(32, 96), dkLen: 32 }));
  r = chacha20orig(xor(l, key.slice(0, 32)), new Uint8Array(8), r);
  return Uint8Array.from([...l, ...r]);
}

function referencePacket(
  x: Uint8Array,
  padding: Uint8Array,
  route: { address: Uint8Array; publicKey: Uint8Array }[],
  delaysNs: bigint[],
  dest: Uint8Array,
  id: Uint8Array,
  message: Uint8Array,
  payloadSize: number,
  version: number[] = VERSION,
  finalFlag = 2,
): Uint8Array {
  const n = route.length;
  const alpha0 = x25519.getPublicKey(x);
  // nym's chain: s_i = b_{i-1} * ... * b_0 * x * pk_i, each step a clamped X25519
  const hopKeys: ReturnType<typeof keys>[] = [];
  for (let i = 0; i < n; i++) {
    let s = x25519.scalarMult(x, route[i]!.publicKey);
    for (let j = 0; j < i; j++) s = x25519.scalarMult(hopKeys[j]!.b, s);
    hopKeys.push(keys(s));
  }
  let filler = new Uint8Array(0);
  for (let i = 1; i < n; i++) {
    const padded = Uint8Array.from([...filler, ...new Uint8Array(60)]);
    filler = xor(padded, stream(hopKeys[i - 1]!.rho).slice(360 - 60 * i));
  }
  const finalPlain = Uint8Array.from([finalFlag, ...version, ...dest, ...id, ...padding]);
  let beta = Uint8Array.from([...xor(finalPlain, stream(hopKeys[n - 1]!.rho)), ...filler]);
  let gamma = mac(hopKeys[n - 1]!.mu, beta);
  for (let i = n - 2; i >= 0; i--) {
    const delay = new Uint8Array(8);
    new DataView(delay.buffer).setBigUint64(0, delaysNs[i]!);
    const plain = Uint8Array.from([1, ...version, ...route[i + 1]!.address, ...delay, ...gamma, ...beta.slice(0, 240)]);
    beta = xor(plain, stream(hopKeys[i]!.rho));
    gamma = mac(hopKeys[i]!.mu, beta);
  }
  let payload: Uint8Array = new Uint8Array(payloadSize);
  payload.set(message, 16);
  payload[16 + message.length] = 1;
  for (let i = n - 1; i >= 0; i--) payload = lionessEnc(payloadKey(hopKeys[i]!.pi, version), payload);
  return Uint8Array.from([...alpha0, ...gamma, ...beta, ...payload]);
}

function referenceProcess(sk: Uint8Array, packet: Uint8Array) {
  const alpha = packet.slice(0, 32);
  const k = keys(x25519.scalarMult(sk, alpha));
  const beta = packet.slice(48, 348);
  if (Buffer.compare(mac(k.mu, beta), packet.slice(32, 48)) !== 0) throw new Error("mac");
  const b = xor(Uint8Array.from([...beta, ...new Uint8Array(60)]), stream(k.rho));
  const payload = lionessDec(payloadKey(k.pi, [...b.slice(1, 4)]), packet.slice(348));
  return {
    flag: b[0],
    address: b.slice(4, 36),
    next: Uint8Array.from([...x25519.scalarMult(k.b, alpha), ...b.slice(44, 360), ...payload]),
    payload,
    tau: k.tau,
  };
}

function recording(random: RandomSource): { random: RandomSource; drawn: Uint8Array[] } {
  const drawn: Uint8Array[] = [];
  return {
    drawn,
    random: (n) => {
      const v = random(n);
      drawn.push(v);
      return v;
    },
  };
}

describe("cross-check against an independent naive implementation on @noble primitives", () => {
  it.each([
    [258, 1],
    [258, 3],
    [258, 5],
    [259, 1],
    [259, 3],
    [259, 5],
    [260, 2],
    [260, 5],
  ] as const)("a version %i packet over %i hops is byte-identical at creation and after every hop", (version, hops) => {
    const seed = seededRandom(`reference-${version === 258 ? "" : `${version}-`}${hops}`);
    const { keys: nodeKeys, route } = makeRoute(hops, seed);
    for (const k of nodeKeys) expect(x25519.getPublicKey(k.privateKey)).toEqual(k.publicKey);
    const message = seed(100);
    const delays = route.map((_, i) => 3 + i);
    const dest = new Uint8Array(32).fill(7);
    const id = new Uint8Array(16).fill(8);
    const rec = recording(seed);
    const ours = createForwardPacket({
      route,
      delays,
      destination: { address: dest, identifier: id },
      message,
      payloadSize: PayloadSize.regular,
      random: rec.random,
      version,
    }).packet;
    const x = rec.drawn[0]!.subarray(0, 32);
    const padding = rec.drawn[0]!.subarray(32);
    expect(rec.drawn.length).toBe(1);
    const theirs = referencePacket(
      x!,
      padding!,
      route,
      delays.map((d) => BigInt(d * 1e6)),
      dest,
      id,
      message,
      PayloadSize.regular,
      [0, version >> 8, version & 0xff],
    );
    expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));

    let packet = ours;
    for (let i = 0; i < hops; i++) {
      const mine = createSphinxNode(nodeKeys[i]!.privateKey).process(packet);
      const ref = referenceProcess(nodeKeys[i]!.privateKey, packet);
      expect(mine.replayTag).toEqual(ref.tau);
      expect(mine.version).toBe(version);
      if (mine.kind === "forward") {
        expect(ref.flag).toBe(1);
        expect(mine.nextAddress).toEqual(ref.address);
        expect(mine.packet).toEqual(ref.next);
        packet = mine.packet;
      } else {
        expect(ref.flag).toBe(2);
        expect(mine.payload).toEqual(ref.payload);
        expect(mine.payload.slice(16, 116)).toEqual(message);
      }
    }
  });

  it.each([
    ["legacy version 257", [0, 1, 1], 2, "SPHINX_ERROR_UNKNOWN_VERSION"],
    ["version 1", [0, 0, 1], 2, "SPHINX_ERROR_UNKNOWN_VERSION"],
    ["a future version 261", [0, 1, 5], 2, "SPHINX_ERROR_UNKNOWN_VERSION"],
    ["version 258 with a non-zero first byte", [1, 1, 2], 2, "SPHINX_ERROR_UNKNOWN_VERSION"],
    ["flag 0", [0, 1, 2], 0, "SPHINX_ERROR_INVALID_FLAG"],
    ["flag 3", [0, 1, 2], 3, "SPHINX_ERROR_INVALID_FLAG"],
  ])("a well-MACed header with %s is rejected with a typed error", (_, version, flag, code) => {
    const seed = seededRandom(`bad-${code}-${flag}`);
    const { keys: nodeKeys, route } = makeRoute(2, seed);
    const packet = referencePacket(
      seed(32),
      seed(300 - 60 - 52),
      route,
      [1n, 1n],
      new Uint8Array(32),
      new Uint8Array(16),
      new Uint8Array(4),
      PayloadSize.ack,
      version as number[],
      flag as number,
    );
    const hop1 = createSphinxNode(nodeKeys[0]!.privateKey);
    const hop2 = createSphinxNode(nodeKeys[1]!.privateKey);
    let error: unknown;
    try {
      const first = hop1.process(packet);
      if (first.kind === "forward") hop2.process(first.packet);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SphinxError);
    expect((error as SphinxError).code).toBe(code);
  });
});
