import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

/**
 * Account keys as every chain actor but the validator needs them: secp256k1 in the Ethereum format (address = last
 * 20 bytes of keccak256 of the uncompressed public key), signing with low s. Pure JS (@noble): a client signs a
 * handful of txs, so it does not load the validator's native verification addon.
 */

/** keccak256 (@noble/hashes). */
export function keccak256(message: Uint8Array): Uint8Array {
  return keccak_256(message);
}

/** What checking a tx's signature needs; the validator passes its libsecp256k1-backed verifier. */
export interface TxSignatureVerifier {
  /** The signer's address of a 33-byte compressed key, undefined when it is not a curve point. */
  resolve(publicKey: Uint8Array): { address: Address } | undefined;
  /** True when `signature` (64-byte r||s, low s) signs keccak256(`domain || body`) under `publicKey`. */
  verifyParts(signature: Uint8Array, domain: Uint8Array, body: Uint8Array, publicKey: Uint8Array): boolean;
}

/** An Ethereum address: `0x` and 40 lower-case hex digits. */
export type Address = `0x${string}`;

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Strict hex decoding: optional `0x`, even length, hex digits only. Throws TypeError naming `name`. */
export function hexToBytes(hex: string, name = "hex"): Uint8Array {
  const body = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new TypeError(`${name}: not a hex string`);
  return new Uint8Array(Buffer.from(body, "hex"));
}

/** address = last 20 bytes of keccak256(uncompressed public key without its 0x04 prefix), as Ethereum does. */
export function addressFromPublicKey(publicKey: Uint8Array): Address {
  const point = secp256k1.Point.fromBytes(publicKey); // throws on a point not on the curve
  const uncompressed = point.toBytes(false);
  return `0x${bytesToHex(keccak256(uncompressed.subarray(1)).subarray(12))}`;
}

export function publicKeyFromSecretKey(secretKey: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return secp256k1.getPublicKey(secretKey, true);
}

export function addressFromSecretKey(secretKey: Uint8Array): Address {
  return addressFromPublicKey(publicKeyFromSecretKey(secretKey));
}

/** A fresh random secp256k1 secret key (32 bytes). */
export function randomSecretKey(): Uint8Array {
  return secp256k1.utils.randomSecretKey();
}

function checkSecretKey(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32 || !secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new TypeError("secretKey: expected a valid 32-byte secp256k1 secret key");
  }
}

/**
 * Ethereum-style ECDSA over secp256k1: the message is hashed with keccak256 and the 32-byte digest is signed;
 * 64-byte `r || s` with low `s` (as Ethereum requires), deterministic nonces (RFC 6979).
 */
export function signMessage(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return secp256k1.sign(keccak256(message), secretKey, { prehash: false, lowS: true, format: "compact" });
}
