import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KECCAK_BACKEND, keccak256, keccak256Backends } from "../../src/keys.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("keccak256 backends", () => {
  it("uses this package's addon; the keccak package's prebuilt addon (linux-x64 glibc) loads too", () => {
    expect(KECCAK_BACKEND).toBe("rust");
    expect(keccak256).toBe(keccak256Backends.rust);
    expect(keccak256Backends.native).toBeDefined();
  });

  it("gives Keccak's digests, not SHA3-256's: the empty message and 'abc'", () => {
    for (const f of [keccak256Backends.rust, keccak256Backends.native, keccak256Backends.js]) {
      expect(hex(f!(new Uint8Array()))).toBe("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
      expect(hex(f!(new TextEncoder().encode("abc")))).toBe(
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
      );
    }
  });

  it("native and JS agree on every length around the 136-byte rate, and on views into larger buffers", () => {
    const native = keccak256Backends.native!;
    for (const n of [0, 1, 135, 136, 137, 271, 272, 273, 1000]) {
      const m = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(hex(native(m))).toBe(hex(keccak256Backends.js(m)));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(16), fc.nat(16), (body, pre, post) => {
        const backing = new Uint8Array(pre + body.length + post).fill(0xaa);
        backing.set(body, pre);
        const view = backing.subarray(pre, pre + body.length);
        expect(hex(native(view))).toBe(hex(keccak256Backends.js(body)));
      }),
      { numRuns: 200 },
    );
  });
});
