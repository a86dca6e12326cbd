import { createHash, createHmac } from "node:crypto";
import { blake2b as nobleBlake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blake2b } from "../../src/blake2b.js";
import { lionessDecrypt, lionessEncrypt } from "../../src/lioness.js";
import { headerMac } from "../../src/primitives.js";
import { bytesToScalar, clamp, clampedRepresentative, L, scalarToBytes } from "../../src/scalar.js";
import { seededRandom } from "../helpers.js";

const random = seededRandom("primitives");

describe("BLAKE2b (WebAssembly)", () => {
  it("keyed BLAKE2b-256 equals @noble/hashes at every block boundary and beyond one memory page", () => {
    for (const n of [0, 1, 63, 64, 127, 128, 129, 255, 256, 257, 2033, 8177, 70_000, 140_001]) {
      const data = random(n);
      const key = random(64);
      expect(blake2b(data, key, 32)).toEqual(nobleBlake2b(data, { key, dkLen: 32 }));
    }
  });

  it("unkeyed BLAKE2b-512 equals node:crypto's blake2b512", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (data) => {
        const ours = Buffer.from(blake2b(data, new Uint8Array(0), 64)).toString("hex");
        expect(ours).toBe(createHash("blake2b512").update(data).digest("hex"));
      }),
      { numRuns: 100 },
    );
  });

  it("other key and output lengths equal @noble/hashes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 1, max: 64 }),
        (data, key, outLength) => {
          const reference = nobleBlake2b(data, { key: key.length > 0 ? key : undefined, dkLen: outLength });
          expect(blake2b(data, key, outLength)).toEqual(reference);
        },
      ),
      { numRuns: 100 },
    );
  });
});

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
