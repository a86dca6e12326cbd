import { publicKeyFromSecretKey, signMessage } from "@nym-ts/chain-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SIGNATURE_BACKEND, SignatureVerifier } from "../../src/keys.js";

const addon = new SignatureVerifier(1000, "native-0.6");
const native = new SignatureVerifier(1000, "native-2019");
const wasm = new SignatureVerifier(1000, "wasm");

describe("signature backends", () => {
  it("uses this package's addon; the secp256k1 package's prebuilt one (linux-x64 glibc) and wasm load too", () => {
    expect(SIGNATURE_BACKEND).toBe("native-0.6");
    expect(new SignatureVerifier().backend).toBe("native-0.6");
    expect(native.backend).toBe("native-2019");
    expect(wasm.backend).toBe("wasm");
  });

  it("the addon, the npm addon and WebAssembly builds agree on valid, tampered, foreign-key and high-s signatures", () => {
    const order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.nat(63),
        (seedA, seedB, message, flip) => {
          seedA[0] = (seedA[0]! % 0xfe) + 1; // keep the secret keys in range and non-zero
          seedB[0] = (seedB[0]! % 0xfe) + 1;
          const keyA = publicKeyFromSecretKey(seedA);
          const keyB = publicKeyFromSecretKey(seedB);
          const signature = signMessage(message, seedA);
          const tampered = Uint8Array.from(signature);
          tampered[flip] = tampered[flip]! ^ 0x01;
          const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString("hex")}`);
          const highS = Uint8Array.from(signature);
          highS.set(Buffer.from((order - s).toString(16).padStart(64, "0"), "hex"), 32);
          const cases: [Uint8Array, Uint8Array, boolean][] = [
            [signature, keyA, true],
            [tampered, keyA, false],
            [signature, keyB, Buffer.compare(Buffer.from(keyA), Buffer.from(keyB)) === 0],
            [highS, keyA, false],
          ];
          for (const [sig, key, expected] of cases) {
            expect(addon.verify(sig, message, key)).toBe(expected);
            expect(native.verify(sig, message, key)).toBe(expected);
            expect(wasm.verify(sig, message, key)).toBe(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
