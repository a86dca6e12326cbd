import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";

const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError("Ed25519 seed must be 32 bytes");
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

/** The raw 32-byte Ed25519 public key of a 32-byte seed (node:crypto, synchronous). */
export function ed25519PublicFromSeed(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(privateKeyObject(seed)).export({ format: "der", type: "spki" });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** An Ed25519 signer bound to one seed; the key object is built once. */
export function ed25519Signer(seed: Uint8Array): (message: Uint8Array) => Uint8Array {
  const key = privateKeyObject(seed);
  return (message) => new Uint8Array(sign(null, message, key));
}

/** Verifies an Ed25519 signature; false for any malformed key or signature. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
