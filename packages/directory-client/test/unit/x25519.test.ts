import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isValidX25519PublicKey, isValidX25519PublicKeyBytes } from "../../src/x25519.js";

const P = 2n ** 255n - 19n;
const le = (n: bigint): string => {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out.toString("hex");
};

/** OpenSSL as the oracle: does X25519 with this u give a shared secret (not all zero)? */
function opensslAccepts(uHex: string): boolean {
  const { privateKey } = generateKeyPairSync("x25519");
  try {
    const publicKey = createPublicKey({
      key: Buffer.from(uHex, "hex"),
      format: "raw-public",
      asymmetricKeyType: "x25519",
    });
    diffieHellman({ privateKey, publicKey });
    return true;
  } catch {
    return false;
  }
}

const SMALL_ORDER = [
  le(0n),
  le(1n),
  le(P - 1n),
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
];

describe("isValidX25519PublicKey", () => {
  it("refuses every small-order u, each of which OpenSSL also refuses (all-zero shared secret)", () => {
    for (const u of SMALL_ORDER) {
      expect(isValidX25519PublicKey(u), u).toBe(false);
      expect(opensslAccepts(u), u).toBe(false);
    }
  });

  it("refuses non-canonical encodings: u >= p, and the top bit set", () => {
    for (const n of [P, P + 1n, P + 2n, 2n ** 255n - 1n]) expect(isValidX25519PublicKey(le(n))).toBe(false);
    const key = generateKeyPairSync("x25519").publicKey.export({ format: "raw-public" });
    expect(isValidX25519PublicKeyBytes(key)).toBe(true);
    key[31] = (key[31] as number) | 0x80;
    expect(isValidX25519PublicKeyBytes(key)).toBe(false);
    // The largest canonical u, p - 2, is a fine (large-order) point.
    expect(isValidX25519PublicKey(le(P - 2n))).toBe(true);
  });

  it("accepts real keys and random u, and agrees with OpenSSL on 2,000 random canonical u", () => {
    for (let i = 0; i < 2000; i++) {
      const u = randomBytes(32);
      u[31] = (u[31] as number) & 0x7f;
      const hex = u.toString("hex");
      expect(isValidX25519PublicKey(hex)).toBe(opensslAccepts(hex));
    }
    const secret = randomBytes(32);
    const pub = createPublicKey(
      createPrivateKey({ key: secret, format: "raw-private", asymmetricKeyType: "x25519" }),
    ).export({ format: "raw-public" });
    expect(isValidX25519PublicKeyBytes(new Uint8Array(pub))).toBe(true);
  });

  it("refuses malformed hex and wrong lengths", () => {
    for (const bad of ["", "00", "zz".repeat(32), "AB".repeat(32), "11".repeat(33)]) {
      expect(isValidX25519PublicKey(bad)).toBe(false);
    }
    expect(isValidX25519PublicKeyBytes(new Uint8Array(31).fill(9))).toBe(false);
    expect(isValidX25519PublicKey(undefined as unknown as string)).toBe(false);
  });
});
