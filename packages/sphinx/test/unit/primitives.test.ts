import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lionessDecrypt, lionessEncrypt } from "../../src/lioness.js";
import { headerMac } from "../../src/primitives.js";
import { bytesToScalar, clamp, clampedRepresentative, L, scalarToBytes } from "../../src/scalar.js";
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
