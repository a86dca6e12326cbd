import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ed25519SignerFromSeed, type SigningPurpose, signingBytes, verifyEd25519 } from "../../src/index.js";

/**
 * Our own pinned vectors (generated once by this package, Ed25519 being deterministic): any change to the signing
 * bytes breaks every deployed node, so it must break this test first.
 */
interface Vector {
  purpose: SigningPurpose;
  seed: string;
  publicKey: string;
  timestamp: number;
  payload: unknown;
  message: string;
  signature: string;
}

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "signing.json"), "utf8")) as Vector[];

describe("signing vectors", () => {
  it("has vectors", () => expect(vectors.length).toBeGreaterThanOrEqual(3));
  for (const vector of vectors) {
    it(`${vector.purpose}: bytes, key and signature match the pinned values`, async () => {
      const signer = ed25519SignerFromSeed(Buffer.from(vector.seed, "hex"));
      expect(signer.publicKey).toBe(vector.publicKey);
      const message = signingBytes(vector.purpose, vector.timestamp, vector.payload);
      expect(Buffer.from(message).toString("utf8")).toBe(vector.message);
      expect(Buffer.from(await signer.sign(message)).toString("hex")).toBe(vector.signature);
      expect(verifyEd25519(vector.publicKey, message, vector.signature)).toBe(true);
    });
  }
});
