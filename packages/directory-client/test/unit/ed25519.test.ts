import { ED25519_TORSION_SUBGROUP, ed25519 as noble } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ed25519KeyPair,
  ed25519PublicKeyFromSeed,
  ed25519Verify,
  generateEd25519Seed,
  isStrictEd25519PublicKey,
  isValidEd25519PublicKeyBytes,
} from "../../src/index.js";

const hex = (value: string) => new Uint8Array(Buffer.from(value, "hex"));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** RFC 8032 §7.1, TEST 1 to TEST 3 (secret key = seed). */
const RFC8032 = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature:
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

/** The group order L (RFC 8032 §5.1). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

function littleEndian(value: bigint, length = 32): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return bytes;
}

describe("Ed25519 (the one implementation)", () => {
  it("matches RFC 8032's test vectors for public key, signature and verification", () => {
    for (const vector of RFC8032) {
      const pair = ed25519KeyPair(hex(vector.seed));
      expect(toHex(pair.publicKey)).toBe(vector.publicKey);
      expect(toHex(ed25519PublicKeyFromSeed(hex(vector.seed)))).toBe(vector.publicKey);
      expect(toHex(pair.sign(hex(vector.message)))).toBe(vector.signature);
      expect(ed25519Verify(hex(vector.publicKey), hex(vector.message), hex(vector.signature))).toBe(true);
    }
  });

  it("signs exactly as @noble/curves does, and each verifies the other's signatures", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), (seed, msg) => {
        const pair = ed25519KeyPair(seed);
        expect(toHex(pair.publicKey)).toBe(toHex(noble.getPublicKey(seed)));
        const signature = pair.sign(msg);
        expect(toHex(signature)).toBe(toHex(noble.sign(msg, seed)));
        expect(noble.verify(signature, msg, pair.publicKey, { zip215: false })).toBe(true);
        expect(ed25519Verify(pair.publicKey, msg, signature)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it("refuses a changed message, a changed signature and inputs of the wrong length", () => {
    const pair = ed25519KeyPair(generateEd25519Seed());
    const message = new Uint8Array([1, 2, 3]);
    const signature = pair.sign(message);
    expect(ed25519Verify(pair.publicKey, new Uint8Array([1, 2, 4]), signature)).toBe(false);
    const flipped = signature.slice();
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    expect(ed25519Verify(pair.publicKey, message, flipped)).toBe(false);
    expect(ed25519Verify(pair.publicKey.subarray(1), message, signature)).toBe(false);
    expect(ed25519Verify(pair.publicKey, message, signature.subarray(1))).toBe(false);
    expect(ed25519Verify(new Uint8Array([...pair.publicKey, 0]), message, signature)).toBe(false);
    expect(() => ed25519KeyPair(new Uint8Array(31))).toThrow(TypeError);
    expect(() => ed25519PublicKeyFromSeed(new Uint8Array(33))).toThrow(TypeError);
  });

  it("refuses a signature whose S is not reduced (S + L)", () => {
    const pair = ed25519KeyPair(generateEd25519Seed());
    const message = new Uint8Array([7]);
    const signature = pair.sign(message);
    const s = BigInt(`0x${toHex(signature.slice(32).reverse())}`);
    const malleated = new Uint8Array([...signature.slice(0, 32), ...littleEndian(s + L)]);
    expect(s + L < 2n ** 256n).toBe(true);
    expect(ed25519Verify(pair.publicKey, message, malleated)).toBe(false);
  });

  it("refuses every small-order public key, in every encoding, even with a signature that fits it", () => {
    // The forgery is real: with the identity as key and as R, and S = 0, a lax (ZIP-215) verifier accepts any message.
    const identity = hex(`01${"00".repeat(31)}`);
    const forged = new Uint8Array([...identity, ...new Uint8Array(32)]);
    expect(noble.verify(forged, new Uint8Array([5]), identity, { zip215: true })).toBe(true);
    expect(ed25519Verify(identity, new Uint8Array([5]), forged)).toBe(false);

    // The torsion subgroup has exactly 8 elements: 8 distinct small-order points make the list complete.
    const encodings = ED25519_TORSION_SUBGROUP.map(hex);
    expect(new Set(ED25519_TORSION_SUBGROUP).size).toBe(8);
    for (const encoding of encodings) expect(noble.Point.fromBytes(encoding).isSmallOrder()).toBe(true);
    // x = 0 with the sign bit set: the non-canonical twins of the identity and of the point of order 2.
    const signBitTwins = [hex(`01${"00".repeat(30)}80`), hex(`ec${"ff".repeat(30)}ff`)];
    for (const key of [...encodings, ...signBitTwins]) {
      expect(isStrictEd25519PublicKey(key), toHex(key)).toBe(false);
      expect(isValidEd25519PublicKeyBytes(key), toHex(key)).toBe(false);
      // R = a small-order point and S = 0: for a small-order key, [S]B = R + [k]A holds for 1 in 8 messages (for
      // every message when R and A are the identity).
      for (const r of encodings) {
        for (const message of [new Uint8Array(0), new Uint8Array([1]), new Uint8Array([2])]) {
          expect(ed25519Verify(key, message, new Uint8Array([...r, ...new Uint8Array(32)]))).toBe(false);
        }
      }
    }
  });

  it("refuses non-canonical encodings (y >= p) and points that are not on the curve", () => {
    for (let k = 0n; k < 19n; k++) {
      const key = littleEndian(P + k);
      expect(isStrictEd25519PublicKey(key)).toBe(false);
      key[31] = (key[31] ?? 0) | 0x80;
      expect(isStrictEd25519PublicKey(key)).toBe(false);
    }
    expect(isStrictEd25519PublicKey(littleEndian(P - 2n))).toBe(true); // the largest canonical y but one
    // y = 2 is no point's y: canonical and not small order, but not a key.
    const offCurve = littleEndian(2n);
    expect(() => noble.Point.fromBytes(offCurve)).toThrow();
    expect(isStrictEd25519PublicKey(offCurve)).toBe(true);
    expect(isValidEd25519PublicKeyBytes(offCurve)).toBe(false);
    expect(ed25519Verify(offCurve, new Uint8Array(0), new Uint8Array(64))).toBe(false);
  });

  it("accepts real keys", () => {
    for (let i = 0; i < 20; i++) {
      const key = ed25519PublicKeyFromSeed(generateEd25519Seed());
      expect(isStrictEd25519PublicKey(key)).toBe(true);
      expect(isValidEd25519PublicKeyBytes(key)).toBe(true);
    }
  });
});
