import { ed25519KeyPair } from "@nym-ts/directory-client";
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

  it("is the directory client's Ed25519: same keys and signatures, small-order keys refused", () => {
    const seed = new Uint8Array(32).fill(9);
    const pair = ed25519KeyPair(seed);
    expect(ed25519PublicFromSeed(seed)).toEqual(pair.publicKey);
    expect(ed25519Signer(seed)(new Uint8Array([4]))).toEqual(pair.sign(new Uint8Array([4])));
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    const forged = new Uint8Array(64);
    forged[0] = 1; // R = the identity point, S = 0
    expect(ed25519Verify(identityPoint, new Uint8Array([1]), forged)).toBe(false);
  });
});
