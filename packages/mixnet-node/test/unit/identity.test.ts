import { describe, expect, it } from "vitest";
import { ed25519PublicFromSeed, ed25519Signer, ed25519Verify } from "../../src/identity.js";

describe("node identities", () => {
  it("signs and verifies with an Ed25519 seed and rejects a wrong message", () => {
    const seed = new Uint8Array(32).fill(5);
    const pub = ed25519PublicFromSeed(seed);
    const sig = ed25519Signer(seed)(new Uint8Array([1, 2, 3]));
    expect(ed25519Verify(pub, new Uint8Array([1, 2, 3]), sig)).toBe(true);
    expect(ed25519Verify(pub, new Uint8Array([1, 2, 4]), sig)).toBe(false);
    expect(ed25519Verify(pub.subarray(1), new Uint8Array([1, 2, 3]), sig)).toBe(false);
  });
});
