/**
 * The two backends (node:crypto, libsodium through sodium-native) must be interchangeable: the same primitive results,
 * the same refusals, and byte-identical packets, hop results and SURBs from identical inputs.
 */
import { createHmac } from "node:crypto";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { x25519 as nobleX25519 } from "@noble/curves/ed25519.js";
import { blake2b as nobleBlake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentBackend, nodeBackend, type SphinxBackend, type SphinxBackendName } from "../../src/backend.js";
import {
  availableSphinxBackends,
  createForwardPacket,
  createSphinxNode,
  createSurb,
  getSphinxBackend,
  HEADER_LENGTH,
  openSurbReply,
  PayloadSize,
  type ProcessedPacket,
  SphinxError,
  setSphinxBackend,
  useSurb,
} from "../../src/index.js";
import { headerMac } from "../../src/primitives.js";
import { sodiumLoadError } from "../../src/sodium.js";
import { expectedBackends, fromHex, makeRoute, seededRandom, withBackend } from "../helpers.js";

const random = seededRandom("backends");

function backend(name: SphinxBackendName): SphinxBackend {
  return withBackend(name, currentBackend);
}

function errorCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof SphinxError ? e.code : `not a SphinxError: ${String(e)}`;
  }
  return undefined;
}

describe("backend availability and selection", () => {
  it("sodium-native loads wherever it ships a prebuilt binary (so both paths are tested on every run)", () => {
    expect(availableSphinxBackends()).toEqual(expectedBackends());
    if (expectedBackends().includes("sodium")) {
      expect(sodiumLoadError).toBeUndefined();
      expect(getSphinxBackend()).toBe(process.env.NYM_SPHINX_BACKEND === "node" ? "node" : "sodium");
    }
  });

  it("setSphinxBackend rejects unknown names with a typed error and keeps the active backend", () => {
    const before = getSphinxBackend();
    expect(() => setSphinxBackend("openssl" as SphinxBackendName)).toThrow(SphinxError);
    expect(getSphinxBackend()).toBe(before);
  });

  describe("NYM_SPHINX_BACKEND, read when the module loads", () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.resetModules();
    });

    it.each(expectedBackends())("%s selects that backend", async (name) => {
      vi.stubEnv("NYM_SPHINX_BACKEND", name);
      vi.resetModules();
      const fresh = await import("../../src/backend.js");
      expect(fresh.getSphinxBackend()).toBe(name);
    });

    it("unset or empty selects sodium when it loads, node otherwise", async () => {
      vi.stubEnv("NYM_SPHINX_BACKEND", "");
      vi.resetModules();
      const fresh = await import("../../src/backend.js");
      expect(fresh.getSphinxBackend()).toBe(expectedBackends().includes("sodium") ? "sodium" : "node");
    });

    it("an unknown name fails the import with SPHINX_ERROR_INVALID_ARGUMENT", async () => {
      vi.stubEnv("NYM_SPHINX_BACKEND", "wasm");
      vi.resetModules();
      await expect(import("../../src/backend.js")).rejects.toMatchObject({ code: "SPHINX_ERROR_INVALID_ARGUMENT" });
    });
  });
});

describe.runIf(expectedBackends().includes("sodium"))("sodium primitives equal the node:crypto ones", () => {
  const sodium = () => backend("sodium");

  it("X25519 on any 32-byte scalar and any 32-byte u (top bit, non-canonical, twist points included)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (scalar, u) => {
          const s = sodium();
          let viaNode: Uint8Array | string;
          let viaSodium: Uint8Array | string;
          try {
            viaNode = nodeBackend.x25519(nodeBackend.privateKey(scalar), nodeBackend.publicKey(u));
          } catch (e) {
            viaNode = (e as SphinxError).code;
          }
          try {
            viaSodium = s.x25519(s.privateKey(scalar), s.publicKey(u));
          } catch (e) {
            viaSodium = (e as SphinxError).code;
          }
          expect(viaSodium).toEqual(viaNode);
          if (typeof viaNode !== "string") expect(viaNode).toEqual(nobleX25519.getSharedSecret(scalar, u));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("the fixed-base multiplication equals node's public key derivation", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (scalar) => {
        const s = sodium();
        expect(s.publicKeyOf(s.privateKey(scalar))).toEqual(nodeBackend.publicKeyOf(nodeBackend.privateKey(scalar)));
      }),
      { numRuns: 100 },
    );
  });

  // u-coordinates of small order (0, 1, the two points of order 8, and p-1, p, p+1), each also with the top bit set.
  const p = (last: number) => `${last.toString(16)}${"ff".repeat(30)}7f`;
  const lowOrder = [
    "00".repeat(32),
    `01${"00".repeat(31)}`,
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    p(0xec),
    p(0xed),
    p(0xee),
  ].flatMap((h) => {
    const u = fromHex(h);
    const top = Uint8Array.from(u);
    top[31]! |= 0x80;
    return [u, top];
  });

  it("both refuse every small-order u with SPHINX_ERROR_INVALID_POINT (as does @noble: all-zero result)", () => {
    const s = sodium();
    for (const u of lowOrder) {
      const scalar = random(32);
      expect(() => nobleX25519.getSharedSecret(scalar, u)).toThrow();
      expect(errorCode(() => nodeBackend.x25519(nodeBackend.privateKey(scalar), nodeBackend.publicKey(u)))).toBe(
        "SPHINX_ERROR_INVALID_POINT",
      );
      expect(errorCode(() => s.x25519(s.privateKey(scalar), s.publicKey(u)))).toBe("SPHINX_ERROR_INVALID_POINT");
    }
  });

  it("ChaCha20 (zero nonce, in place) equals node's and the original 64-bit-nonce ChaCha20 of @noble", () => {
    for (const n of [1, 63, 64, 65, 2033, 8177, 70_000]) {
      const key = random(32);
      const data = random(n);
      const a = Uint8Array.from(data);
      const b = Uint8Array.from(data);
      nodeBackend.chacha20Xor(key, a);
      sodium().chacha20Xor(key, b);
      expect(b).toEqual(a);
      expect(b).toEqual(chacha20orig(key, new Uint8Array(8), data));
    }
  });

  it("the header MAC over libsodium's SHA-256 equals createHmac-SHA256 truncated to 16 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 700 }), (key, data) => {
        const expected = createHmac("sha256", Buffer.from(key)).update(data).digest().subarray(0, 16);
        expect(Buffer.from(headerMac(key, data, sodium().sha256)).equals(expected)).toBe(true);
        expect(headerMac(key, data, sodium().sha256)).toEqual(headerMac(key, data, nodeBackend.sha256));
      }),
      { numRuns: 200 },
    );
  });

  it("keyed BLAKE2b-256 of libsodium equals the node path's (@noble/hashes) on every Lioness right half", () => {
    for (const size of [...Object.values(PayloadSize), 33, 160, 161]) {
      const data = random(size - 32);
      const key = random(64);
      const a = new Uint8Array(32);
      const b = new Uint8Array(32);
      nodeBackend.blake2b(data, key, a);
      sodium().blake2b(data, key, b);
      expect(b).toEqual(a);
      expect(b).toEqual(nobleBlake2b(data, { key, dkLen: 32 }));
    }
  });
});

/** Everything a hop returns, as plain comparable data. */
function hopResult(out: ProcessedPacket): unknown {
  return out.kind === "forward"
    ? { ...out, delayNanos: out.delayNanos.toString() }
    : { ...out, payload: Buffer.from(out.payload).toString("hex") };
}

function walk(name: SphinxBackendName, keys: { privateKey: Uint8Array }[], packet: Uint8Array): unknown[] {
  return withBackend(name, () => {
    const results: unknown[] = [];
    let current = packet;
    for (const k of keys) {
      const out = createSphinxNode(k.privateKey).process(current);
      results.push(hopResult(out));
      if (out.kind === "forward") current = out.packet;
    }
    return results;
  });
}

describe.runIf(expectedBackends().includes("sodium"))("node and sodium paths are byte-identical end to end", () => {
  it("forward packets of every version: same bytes from the same randomness, same result at every hop on either backend", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.string(),
        fc.constantFrom(PayloadSize.ack, PayloadSize.regular, PayloadSize.extended8),
        fc.constantFrom(258 as const, 259 as const, 260 as const),
        (hops, seed, payloadSize, version) => {
          const { keys, route } = makeRoute(hops, seededRandom(`route ${seed}`));
          const message = seededRandom(`message ${seed}`)(Math.min(20, payloadSize - 17));
          const options = {
            route,
            delays: route.map((_, i) => i * 3.25),
            destination: { address: new Uint8Array(32).fill(7), identifier: new Uint8Array(16).fill(hops) },
            message,
            payloadSize,
            version,
          };
          const viaNode = withBackend("node", () =>
            createForwardPacket({ ...options, random: seededRandom(`packet ${seed}`) }),
          );
          const viaSodium = withBackend("sodium", () =>
            createForwardPacket({ ...options, random: seededRandom(`packet ${seed}`) }),
          );
          expect(viaSodium.packet).toEqual(viaNode.packet);
          const hopsNode = walk("node", keys, viaNode.packet);
          expect(walk("sodium", keys, viaNode.packet)).toEqual(hopsNode);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("SURBs: same SURB and recovery keys, same reply packet, same recovered message", () => {
    for (const hops of [1, 3, 5]) {
      const { keys, route } = makeRoute(hops, seededRandom(`surb route ${hops}`));
      const options = {
        route,
        delays: route.map(() => 2),
        destination: { address: new Uint8Array(32).fill(9), identifier: new Uint8Array(16).fill(3) },
      };
      const message = new TextEncoder().encode(`reply over ${hops} hops`);
      const run = (name: SphinxBackendName) =>
        withBackend(name, () => {
          const surb = createSurb({ ...options, random: seededRandom(`surb ${hops}`) });
          const { packet } = useSurb(surb.surb, message);
          return { surb, packet };
        });
      const a = run("node");
      const b = run("sodium");
      expect(b).toEqual(a);
      const hopsNode = walk("node", keys, a.packet);
      expect(walk("sodium", keys, a.packet)).toEqual(hopsNode);
      const last = hopsNode[hops - 1] as { payload: string };
      const payload = fromHex(last.payload);
      for (const name of ["node", "sodium"] as const) {
        expect(withBackend(name, () => openSurbReply(a.surb.recoveryKeys, payload))).toEqual(message);
      }
    }
  });

  it("a node keeps the backend it was created with, and both refuse a low-order alpha the same way", () => {
    const { keys, route } = makeRoute(2, seededRandom("keep"));
    const packet = createForwardPacket({
      route,
      delays: [1, 1],
      destination: { address: new Uint8Array(32), identifier: new Uint8Array(16) },
      message: new Uint8Array(5),
      random: seededRandom("keep packet"),
    }).packet;
    const sodiumNode = withBackend("sodium", () => createSphinxNode(keys[0]!.privateKey));
    const nodeNode = withBackend("node", () => createSphinxNode(keys[0]!.privateKey));
    expect(sodiumNode.publicKey).toEqual(nodeNode.publicKey);
    withBackend("node", () => {
      expect(hopResult(sodiumNode.process(packet))).toEqual(hopResult(nodeNode.process(packet)));
    });
    const bad = Uint8Array.from(packet);
    bad.fill(0, 0, 32);
    bad[0] = 1; // u = 1, of order 4
    for (const n of [sodiumNode, nodeNode]) {
      expect(errorCode(() => n.process(bad))).toBe("SPHINX_ERROR_INVALID_POINT");
    }
    expect(bad.length).toBe(HEADER_LENGTH + PayloadSize.regular);
  });
});
