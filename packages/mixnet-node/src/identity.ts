import { ed25519KeyPair, ed25519PublicKeyFromSeed } from "@nym-ts/directory-client";

/**
 * Node identities are Ed25519 keys from a 32-byte seed. The implementation is @nym-ts/directory-client's, the one
 * for node identities and directory signatures alike (node:crypto, with strict public-key checks: see its
 * src/ed25519.ts for the measurements behind the choice); these are its byte-level entry points under the names the
 * mixnet code uses.
 */

/**
 * Verifies an Ed25519 signature; false for any malformed key or signature, and for public keys that are not
 * canonical or of small order.
 */
export { ed25519Verify } from "@nym-ts/directory-client";

/** The raw 32-byte Ed25519 public key of a 32-byte seed (synchronous). */
export function ed25519PublicFromSeed(seed: Uint8Array): Uint8Array {
  return ed25519PublicKeyFromSeed(seed);
}

/** An Ed25519 signer bound to one seed; the key object is built once. */
export function ed25519Signer(seed: Uint8Array): (message: Uint8Array) => Uint8Array {
  return ed25519KeyPair(seed).sign;
}
