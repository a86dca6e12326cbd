import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { addressFromPublicKey, SIGN_DOMAIN } from "@nym-ts/chain-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addonSelfTest,
  availableSignatureBackends,
  type ChainAddon,
  KECCAK_BACKEND,
  keccak256,
  keccak256Backends,
  SIGNATURE_BACKEND,
  SignatureVerifier,
} from "../../src/keys.js";

// The addon is required, not optional: scripts/bootstrap.sh builds it (CI runs the bootstrap), so a missing build
// fails here instead of silently testing the fallbacks only.
const ADDON_PATH = fileURLToPath(new URL("../../native/build/nym_chain_native.node", import.meta.url));
const addon = createRequire(import.meta.url)(ADDON_PATH) as ChainAddon;

const N = secp256k1.Point.CURVE().n;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const be32 = (x: bigint) => Buffer.from(x.toString(16).padStart(64, "0"), "hex");
const verifiers = availableSignatureBackends.map((b) => new SignatureVerifier(1000, b));

/** A low-s signature of keccak256(SIGN_DOMAIN || body) by a random key. */
function signed(secret: Uint8Array, body: Uint8Array) {
  const message = new Uint8Array(SIGN_DOMAIN.length + body.length);
  message.set(SIGN_DOMAIN);
  message.set(body, SIGN_DOMAIN.length);
  const signature = secp256k1.sign(keccak_256(message), secret, { prehash: false, lowS: true, format: "compact" });
  return { key: secp256k1.getPublicKey(secret, true), signature };
}

const flipBit = (bytes: Uint8Array, bit: number) => {
  const out = Uint8Array.from(bytes);
  out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
  return out;
};

/** Every backend's verdict, plus the bare addon's, on (signature, key, body) with the tx domain. */
function verdicts(signature: Uint8Array, key: Uint8Array, body: Uint8Array): boolean[] {
  return [
    addon.verifyTx(key, signature, SIGN_DOMAIN, body),
    ...verifiers.map((v) => v.verifyParts(signature, SIGN_DOMAIN, body, key)),
  ];
}

/** 33-byte compressed encodings whose x has no point on the curve (noble agrees they are invalid). */
const offCurve = Array.from({ length: 40 }, (_, x) => {
  const b = new Uint8Array(33);
  b[0] = 2 + (x & 1);
  b[32] = x;
  return b;
}).filter((b) => {
  try {
    secp256k1.Point.fromBytes(b);
    return false;
  } catch {
    return true;
  }
});

describe("native addon (packages/chain/native: libsecp256k1 0.6, tiny-keccak)", () => {
  it("loads, passes its self test and is the default backend for signatures and keccak256", () => {
    expect(addonSelfTest(addon)).toBe(true);
    expect(SIGNATURE_BACKEND).toBe("native-0.6");
    expect(KECCAK_BACKEND).toBe("rust");
    expect(availableSignatureBackends).toEqual(["native-0.6", "native-2019", "wasm"]);
    expect(new SignatureVerifier().backend).toBe("native-0.6");
  });

  it("the self test refuses an addon that accepts everything, rejects everything or hashes wrongly", () => {
    const fake = (verify: boolean, digest: Uint8Array): ChainAddon => ({
      verifyTx: () => verify,
      keccak256: () => digest,
      addressOf: () => null,
      cachedKeys: () => 0,
    });
    const empty = keccak_256(new Uint8Array());
    expect(addonSelfTest(fake(true, empty))).toBe(false);
    expect(addonSelfTest(fake(false, empty))).toBe(false);
    expect(addonSelfTest({ ...addon, verifyTx: addon.verifyTx, keccak256: () => new Uint8Array(32) })).toBe(false);
  });

  it("accepts valid signatures and rejects any single-bit flip of signature, key or body, as every backend does", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 1000 }),
        fc.nat(511),
        fc.nat(263),
        fc.nat(),
        (body, sigBit, keyBit, bodyBit) => {
          const { key, signature } = signed(secp256k1.utils.randomSecretKey(), body);
          expect(verdicts(signature, key, body)).toEqual([true, true, true, true]);
          expect(verdicts(flipBit(signature, sigBit), key, body)).toEqual([false, false, false, false]);
          expect(verdicts(signature, flipBit(key, keyBit), body)).toEqual([false, false, false, false]);
          if (body.length > 0) {
            const flipped = flipBit(body, bodyBit % (body.length * 8));
            expect(verdicts(signature, key, flipped)).toEqual([false, false, false, false]);
          }
          // The domain is part of the message: the body alone, or hashed with another domain, does not verify.
          expect(addon.verifyTx(key, signature, new Uint8Array(), body)).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("rejects every one of the 512 signature bits and 264 key bits flipped (exhaustive, one tx)", () => {
    const body = new TextEncoder().encode('{"exhaustive":true}');
    const { key, signature } = signed(secp256k1.utils.randomSecretKey(), body);
    expect(addon.verifyTx(key, signature, SIGN_DOMAIN, body)).toBe(true);
    for (let bit = 0; bit < 512; bit++)
      expect(addon.verifyTx(key, flipBit(signature, bit), SIGN_DOMAIN, body)).toBe(false);
    for (let bit = 0; bit < 264; bit++)
      expect(addon.verifyTx(flipBit(key, bit), signature, SIGN_DOMAIN, body)).toBe(false);
    for (let bit = 0; bit < body.length * 8; bit++) {
      expect(addon.verifyTx(key, signature, SIGN_DOMAIN, flipBit(body, bit))).toBe(false);
    }
  });

  it("rejects the high-s twin of a valid signature (it verifies once normalized: only s decides)", () => {
    for (let i = 0; i < 20; i++) {
      const secret = secp256k1.utils.randomSecretKey();
      const body = new TextEncoder().encode(`{"i":${i}}`);
      const { key, signature } = signed(secret, body);
      const s = BigInt(`0x${hex(signature.subarray(32))}`);
      const twin = Uint8Array.from(signature);
      twin.set(be32(N - s), 32);
      // The twin is a valid ECDSA signature for a verifier that accepts high s (noble with lowS: false)...
      const message = new Uint8Array([...SIGN_DOMAIN, ...body]);
      expect(secp256k1.verify(twin, keccak_256(message), key, { prehash: false, lowS: false })).toBe(true);
      // ...and refused by the addon and every backend.
      expect(verdicts(twin, key, body)).toEqual([false, false, false, false]);
    }
  });

  it("rejects r or s equal to 0, equal to or above n, and s just above n / 2, without throwing", () => {
    const body = new TextEncoder().encode("{}");
    const { key, signature } = signed(secp256k1.utils.randomSecretKey(), body);
    const r = signature.subarray(0, 32);
    const s = signature.subarray(32);
    const half = N >> 1n;
    const bad = [
      [be32(0n), s],
      [r, be32(0n)],
      [be32(N), s],
      [r, be32(N)],
      [be32(N + 1n), s],
      [be32(2n ** 256n - 1n), s],
      [r, be32(2n ** 256n - 1n)],
      [r, be32(half + 1n)],
      [be32(0n), be32(0n)],
    ];
    for (const [rr, ss] of bad) {
      const sig = new Uint8Array([...rr!, ...ss!]);
      expect(verdicts(sig, key, body)).toEqual([false, false, false, false]);
    }
  });

  it("rejects a 33-byte key that is not a curve point (x off the curve, x >= p, wrong prefix) without a throw", () => {
    expect(offCurve.length).toBeGreaterThan(5);
    const body = new TextEncoder().encode("{}");
    const { key, signature } = signed(secp256k1.utils.randomSecretKey(), body);
    const badPrefix = [0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0xff].map((p) => Uint8Array.from([p, ...key.subarray(1)]));
    const xTooBig = Uint8Array.from([2, ...new Uint8Array(32).fill(0xff)]);
    for (const k of [...offCurve, ...badPrefix, xTooBig]) {
      expect(verdicts(signature, k, body)).toEqual([false, false, false, false]);
      expect(addon.addressOf(k)).toBeNull();
      for (const v of verifiers) expect(v.resolve(k)).toBeUndefined();
    }
  });

  it("wrong lengths: the bare addon throws InvalidArg, the SignatureVerifier answers false", () => {
    const body = new TextEncoder().encode("{}");
    const { key, signature } = signed(secp256k1.utils.randomSecretKey(), body);
    const keys = [new Uint8Array(0), key.subarray(0, 32), new Uint8Array([...key, 0]), new Uint8Array(65)];
    const sigs = [new Uint8Array(0), signature.subarray(0, 63), new Uint8Array([...signature, 0])];
    for (const k of keys) {
      expect(() => addon.verifyTx(k, signature, SIGN_DOMAIN, body)).toThrow(/publicKey: expected 33 bytes/);
      expect(() => addon.addressOf(k)).toThrow(/publicKey: expected 33 bytes/);
      for (const v of verifiers) expect(v.verifyParts(signature, SIGN_DOMAIN, body, k)).toBe(false);
    }
    for (const sig of sigs) {
      expect(() => addon.verifyTx(key, sig, SIGN_DOMAIN, body)).toThrow(/signature: expected 64 bytes/);
      for (const v of verifiers) expect(v.verifyParts(sig, SIGN_DOMAIN, body, key)).toBe(false);
    }
    // Not bytes at all: an error from the N-API layer, never a crash; keccak256's wrapper makes it a TypeError.
    const loose = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(() => loose.verifyTx!("key", signature, SIGN_DOMAIN, body)).toThrow();
    expect(() => loose.keccak256!(42)).toThrow();
    expect(() => keccak256("abc" as unknown as Uint8Array)).toThrow(TypeError);
  });

  it("addressOf gives the address @noble/curves derives; the verifier resolves keys to it", () => {
    const verifier = new SignatureVerifier(1000, "native-0.6");
    for (let i = 0; i < 50; i++) {
      const key = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true);
      const address = addon.addressOf(key)!;
      expect(`0x${hex(address)}`).toBe(addressFromPublicKey(key));
      expect(verifier.resolve(key)?.address).toBe(addressFromPublicKey(key));
    }
  });

  it("caches parsed keys per distinct key (bounded)", () => {
    const before = addon.cachedKeys();
    const body = new TextEncoder().encode("{}");
    const { key, signature } = signed(secp256k1.utils.randomSecretKey(), body);
    for (let i = 0; i < 5; i++) expect(addon.verifyTx(key, signature, SIGN_DOMAIN, body)).toBe(true);
    // One more key, whatever the repetitions (unless the 50,000 bound cleared it meanwhile, which it cannot here).
    expect(addon.cachedKeys()).toBe(before + 1);
  });

  it("keccak256 equals @noble/hashes' keccak_256 on random lengths 0..2000, views included, and the empty digest", () => {
    expect(hex(addon.keccak256(new Uint8Array()))).toBe(
      "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(keccak256).toBe(keccak256Backends.rust);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.nat(16), (data, pre) => {
        const backing = new Uint8Array(pre + data.length + 3).fill(0xaa);
        backing.set(data, pre);
        const view = backing.subarray(pre, pre + data.length);
        const expected = hex(keccak_256(data));
        expect(hex(addon.keccak256(view))).toBe(expected);
        expect(hex(keccak256Backends.rust!(view))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("NYM_CHAIN_SECP256K1 and NYM_CHAIN_KECCAK pick the first loadable backend from the one they name", async () => {
    const run = promisify(execFile);
    const script =
      'import("./src/keys.ts").then((k) => console.log(k.SIGNATURE_BACKEND, k.KECCAK_BACKEND, new k.SignatureVerifier().backend))';
    const cases: [Record<string, string>, string][] = [
      [{}, "native-0.6 rust native-0.6"],
      [{ NYM_CHAIN_SECP256K1: "native-2019", NYM_CHAIN_KECCAK: "native" }, "native-2019 native native-2019"],
      [{ NYM_CHAIN_SECP256K1: "wasm", NYM_CHAIN_KECCAK: "js" }, "wasm js wasm"],
      [{ NYM_CHAIN_SECP256K1: "no-such-backend" }, "native-0.6 rust native-0.6"],
    ];
    const cwd = fileURLToPath(new URL("../..", import.meta.url));
    const outputs = await Promise.all(
      cases.map(([env]) =>
        run(process.execPath, ["--import", "tsx", "-e", script], { cwd, env: { ...process.env, ...env } }),
      ),
    );
    expect(outputs.map(({ stdout }) => stdout.trim())).toEqual(cases.map(([, expected]) => expected));
  });
});
