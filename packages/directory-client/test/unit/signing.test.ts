import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  ed25519SignerFromSeed,
  generateEd25519Identity,
  isValidEd25519PublicKey,
  signingBytes,
  verifyEd25519,
} from "../../src/index.js";

describe("canonical signing bytes", () => {
  it("lay out domain, purpose, timestamp and sorted compact JSON", () => {
    const bytes = signingBytes("register:mixnode", 1700000000123, {
      layer: 2,
      host: "a:1",
      nested: { b: 1, a: [1, "x"] },
    });
    expect(Buffer.from(bytes).toString("utf8")).toBe(
      'nym-directory/v1\nregister:mixnode\n1700000000123\n{"host":"a:1","layer":2,"nested":{"a":[1,"x"],"b":1}}',
    );
  });

  it("do not depend on key order, and omit undefined fields", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
        expect(JSON.parse(canonicalJson(object))).toEqual(object);
      }),
    );
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it("refuse non-integers and bad timestamps", () => {
    expect(() => canonicalJson({ x: 1.5 })).toThrow(RangeError);
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(RangeError);
    expect(() => signingBytes("metrics:mixnode", -1, {})).toThrow(RangeError);
  });
});

describe("Ed25519 identity", () => {
  it("signs and verifies; any flipped bit in message or signature fails", () => {
    const { signer } = generateEd25519Identity();
    const message = signingBytes("metrics:mixnode", 1, { a: 1 });
    const signature = Buffer.from(signer.sign(message) as Uint8Array).toString("hex");
    expect(verifyEd25519(signer.publicKey, message, signature)).toBe(true);
    fc.assert(
      fc.property(fc.nat({ max: message.length * 8 - 1 }), fc.nat({ max: 511 }), (mBit, sBit) => {
        const m = Buffer.from(message);
        m[mBit >> 3]! ^= 1 << (mBit & 7);
        expect(verifyEd25519(signer.publicKey, m, signature)).toBe(false);
        const s = Buffer.from(signature, "hex");
        s[sBit >> 3]! ^= 1 << (sBit & 7);
        expect(verifyEd25519(signer.publicKey, message, s.toString("hex"))).toBe(false);
      }),
      { numRuns: 50 },
    );
    expect(verifyEd25519(signer.publicKey, message, "00")).toBe(false);
    expect(verifyEd25519("zz", message, signature)).toBe(false);
  });

  it("derives the same key from the same seed", () => {
    const { seed, signer } = generateEd25519Identity();
    expect(ed25519SignerFromSeed(seed).publicKey).toBe(signer.publicKey);
    expect(() => ed25519SignerFromSeed(new Uint8Array(31))).toThrow(TypeError);
  });

  it("accepts real keys and refuses small-order or non-canonical ones", () => {
    expect(isValidEd25519PublicKey(generateEd25519Identity().signer.publicKey)).toBe(true);
    expect(isValidEd25519PublicKey(`01${"00".repeat(31)}`)).toBe(false); // identity point
    expect(isValidEd25519PublicKey("00".repeat(32))).toBe(false); // y = 0: a point of order 4
    expect(isValidEd25519PublicKey(`ec${"ff".repeat(30)}7f`)).toBe(false); // y = p - 1: small order
    expect(isValidEd25519PublicKey(`ed${"ff".repeat(30)}7f`)).toBe(false); // y = p: non-canonical
    expect(isValidEd25519PublicKey("abcd")).toBe(false);
  });
});
