import { randomBytes } from "node:crypto";
import { pureJsCrypto } from "@libp2p/noise";
import { Uint8ArrayList } from "uint8arraylist";
import { describe, expect, it } from "vitest";
import { nodeNoiseCrypto } from "../../src/noise-crypto.js";

const bytes = (x: Uint8Array | Uint8ArrayList): Uint8Array => (x instanceof Uint8Array ? x : x.subarray());
const same = (a: Uint8Array | Uint8ArrayList, b: Uint8Array | Uint8ArrayList): boolean =>
  Buffer.from(bytes(a)).equals(Buffer.from(bytes(b)));

describe("Noise crypto on node:crypto", () => {
  it("seals exactly what @libp2p/noise's own ChaCha20-Poly1305 seals, and each opens the other's", () => {
    const k = new Uint8Array(randomBytes(32));
    for (const size of [0, 1, 12, 1199, 2414, 65_519]) {
      const plaintext = new Uint8Array(randomBytes(size));
      const nonce = new Uint8Array(randomBytes(12));
      const ad = new Uint8Array(randomBytes(size % 40));
      const ours = bytes(nodeNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k));
      const theirs = bytes(pureJsCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k));
      expect(same(ours, theirs)).toBe(true);
      expect(same(pureJsCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k), plaintext)).toBe(true);
      expect(same(nodeNoiseCrypto.chaCha20Poly1305Decrypt(theirs, nonce, ad, k), plaintext)).toBe(true);
    }
  });

  it("takes lists as well as arrays, in and out", () => {
    const k = new Uint8Array(randomBytes(32));
    const nonce = new Uint8Array(12);
    const parts = [randomBytes(100), randomBytes(3000), randomBytes(7)];
    const list = new Uint8ArrayList(...parts);
    const sealed = nodeNoiseCrypto.chaCha20Poly1305Encrypt(list, nonce, new Uint8Array(0), k);
    const sealedList = new Uint8ArrayList(bytes(sealed).subarray(0, 50), bytes(sealed).subarray(50));
    const opened = nodeNoiseCrypto.chaCha20Poly1305Decrypt(sealedList, nonce, new Uint8Array(0), k);
    expect(Buffer.from(bytes(opened)).equals(Buffer.concat(parts))).toBe(true);
  });

  it("refuses a message whose ciphertext, tag, nonce, associated data or key was changed", () => {
    const k = new Uint8Array(randomBytes(32));
    const nonce = new Uint8Array(randomBytes(12));
    const ad = new Uint8Array([1, 2, 3]);
    const sealed = bytes(nodeNoiseCrypto.chaCha20Poly1305Encrypt(randomBytes(2414), nonce, ad, k));
    const open =
      (c: Uint8Array, n = nonce, a = ad, key = k) =>
      () =>
        nodeNoiseCrypto.chaCha20Poly1305Decrypt(c, n, a, key);
    expect(open(sealed)).not.toThrow();
    for (const at of [0, 1000, sealed.length - 1]) {
      const bad = new Uint8Array(sealed);
      bad[at] = (bad[at] as number) ^ 1;
      expect(open(bad)).toThrow();
    }
    expect(open(sealed, new Uint8Array(12))).toThrow();
    expect(open(sealed, nonce, new Uint8Array([1, 2, 4]))).toThrow();
    expect(open(sealed, nonce, ad, new Uint8Array(randomBytes(32)))).toThrow();
    expect(open(sealed.subarray(0, 15))).toThrow();
  });

  it("notices a session key array changed in place (the cached key object is checked against its bytes)", () => {
    const k = new Uint8Array(randomBytes(32));
    const nonce = new Uint8Array(12);
    const plaintext = new Uint8Array(randomBytes(64));
    const first = bytes(nodeNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, new Uint8Array(0), k));
    k[0] = (k[0] as number) ^ 0xff;
    const second = bytes(nodeNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, new Uint8Array(0), k));
    expect(same(first, second)).toBe(false);
    expect(same(pureJsCrypto.chaCha20Poly1305Decrypt(second, nonce, new Uint8Array(0), k), plaintext)).toBe(true);
  });

  it("agrees with @libp2p/noise's X25519 and SHA-256", () => {
    const a = nodeNoiseCrypto.generateX25519KeyPair();
    const b = pureJsCrypto.generateX25519KeyPair();
    const ab = nodeNoiseCrypto.generateX25519SharedKey(a.privateKey, b.publicKey);
    const ba = pureJsCrypto.generateX25519SharedKey(b.privateKey, a.publicKey);
    expect(same(ab, ba)).toBe(true);
    // A low-order point (all zeros) gives an all-zero secret: refused, so a handshake with it fails.
    expect(() => nodeNoiseCrypto.generateX25519SharedKey(a.privateKey, new Uint8Array(32))).toThrow();
    const seed = new Uint8Array(randomBytes(32));
    expect(
      same(
        nodeNoiseCrypto.generateX25519KeyPairFromSeed(seed).publicKey,
        pureJsCrypto.generateX25519KeyPairFromSeed(seed).publicKey,
      ),
    ).toBe(true);
    const data = new Uint8ArrayList(randomBytes(10), randomBytes(300));
    expect(same(nodeNoiseCrypto.hashSHA256(data), pureJsCrypto.hashSHA256(data))).toBe(true);
  });
});
