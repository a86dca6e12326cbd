import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lionessDecrypt, lionessEncrypt } from "../../src/lioness.js";
import { derivePayloadKey, derivePayloadKeyHkdfSync, headerMac } from "../../src/primitives.js";
import { bytesToScalar, clamp, clampedRepresentative, L, scalarToBytes } from "../../src/scalar.js";
import { sha256Compress } from "../../src/sha256-compress.js";
import { SHA256_COMPRESS_PATH, sha256CompressSource } from "../generate-sha256.js";
import { seededRandom } from "../helpers.js";

const random = seededRandom("primitives");

describe("Lioness", () => {
  it("decrypt inverts encrypt and every output bit depends on every input block byte", () => {
    const key = random(192);
    for (const n of [33, 38, 100, 2065]) {
      const block = random(n);
      const work = Uint8Array.from(block);
      lionessEncrypt(key, work);
      expect(work).not.toEqual(block);
      const flipped = Uint8Array.from(block);
      flipped[n - 1]! ^= 1;
      lionessEncrypt(key, flipped);
      // a wide-block cipher: a change at the end of the input changes the start of the output
      expect(flipped.subarray(0, 32)).not.toEqual(work.subarray(0, 32));
      lionessDecrypt(key, work);
      expect(work).toEqual(block);
    }
  });
});

describe("scalar arithmetic for the one-multiplication-per-hop sender", () => {
  it("clampedRepresentative gives a clamped k with k = +-c (mod l) for uniformly drawn c", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const c = bytesToScalar(bytes) % L;
        if (c === 0n) return;
        const k = clampedRepresentative(c);
        expect(k).toBeDefined();
        const kBytes = k!;
        expect(clamp(kBytes)).toEqual(kBytes);
        const kv = bytesToScalar(kBytes) % L;
        expect(kv === c || kv === L - c).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(clampedRepresentative(0n)).toBeUndefined();
    expect(clampedRepresentative(L)).toBeUndefined();
    // the ~2^-124 exceptional set (where the sender falls back to chained X25519) contains small multiples of 8
    expect(clampedRepresentative(56n)).toBeUndefined();
  });

  it("bytes and scalars round-trip", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => {
        expect(scalarToBytes(bytesToScalar(b))).toEqual(b);
      }),
    );
  });
});

describe("header MAC", () => {
  it("equals createHmac-SHA256 truncated to 16 bytes for any key and data length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 700 }), (key, data) => {
        const expected = createHmac("sha256", key.length > 0 ? key : Buffer.alloc(0))
          .update(data)
          .digest()
          .subarray(0, 16);
        expect(Buffer.from(headerMac(key, data)).equals(expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("our SHA-256 compression and the payload key HKDF on it (259, 260)", () => {
  /** SHA-256 of any message, padded here and compressed block by block with sha256Compress. */
  function sha256(message: Uint8Array): Uint8Array {
    const padded = new Uint8Array(Math.ceil((message.length + 9) / 64) * 64);
    padded.set(message);
    padded[message.length] = 0x80;
    new DataView(padded.buffer).setUint32(padded.length - 4, message.length * 8, false);
    const state = Int32Array.of(
      0x6a09e667,
      0xbb67ae85,
      0x3c6ef372,
      0xa54ff53a,
      0x510e527f,
      0x9b05688c,
      0x1f83d9ab,
      0x5be0cd19,
    );
    const view = new DataView(padded.buffer);
    const block = new Int32Array(16);
    for (let at = 0; at < padded.length; at += 64) {
      for (let i = 0; i < 16; i++) block[i] = view.getInt32(at + 4 * i, false);
      sha256Compress(state, block);
    }
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    state.forEach((word, i) => {
      outView.setInt32(4 * i, word, false);
    });
    return out;
  }

  it("src/sha256-compress.ts is exactly what its generator writes", () => {
    expect(readFileSync(SHA256_COMPRESS_PATH, "utf8")).toBe(sha256CompressSource());
  });

  it("sha256Compress gives node:crypto's SHA-256 for messages of 0 to 300 bytes", () => {
    for (let n = 0; n <= 300; n++) {
      const message = random(n);
      expect(Buffer.from(sha256(message)).equals(createHash("sha256").update(message).digest())).toBe(true);
    }
  });

  it("derivePayloadKey equals node:crypto's hkdfSync for any seed, and writes into a given buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (seed) => {
        expect(derivePayloadKey(seed)).toEqual(derivePayloadKeyHkdfSync(seed));
      }),
      { numRuns: 500 },
    );
    const seed = random(16);
    const out = new Uint8Array(192);
    expect(derivePayloadKey(seed, out)).toBe(out);
    expect(out).toEqual(derivePayloadKeyHkdfSync(seed));
  });
});
