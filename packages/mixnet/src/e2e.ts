import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from "node:crypto";
import { MixnetError } from "./errors.js";

/**
 * End-to-end encryption of a packet's contents to the recipient's X25519 encryption key, so the gateway that strips
 * the last Sphinx layer sees only ciphertext: `ephemeral public (32) ‖ ChaCha20-Poly1305(k, nonce 0) ‖ tag (16)`,
 * with k = HKDF-SHA256(ikm = X25519(e, pk), salt = "", info = "nym-ts/e2e/v1" ‖ e_pub ‖ pk). A fresh ephemeral per
 * packet makes every key single-use, so the fixed nonce is safe.
 */
export const E2E_OVERHEAD = 48;

const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const X25519_SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");
const INFO = Buffer.from("nym-ts/e2e/v1");
const NONCE = Buffer.alloc(12);

export interface X25519KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** The private key object, built once. */
  key: KeyObject;
}

export function x25519FromSecret(secret: Uint8Array): X25519KeyPair {
  if (secret.length !== 32) throw new RangeError("X25519 secret must be 32 bytes");
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secret]), format: "der", type: "pkcs8" });
  const der = createPublicKey(key).export({ format: "der", type: "spki" });
  return { secretKey: secret, publicKey: new Uint8Array(der.subarray(der.length - 32)), key };
}

export function generateX25519(): X25519KeyPair {
  const { privateKey } = generateKeyPairSync("x25519");
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  return x25519FromSecret(new Uint8Array(der.subarray(der.length - 32)));
}

/** The key object of a raw 32-byte X25519 public key. */
export function x25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new RangeError("X25519 public key must be 32 bytes");
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
}

function deriveKey(shared: Buffer, ephemeral: Uint8Array, recipient: Uint8Array): Buffer {
  if (shared.every((b) => b === 0)) throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "low-order X25519 point");
  return Buffer.from(hkdfSync("sha256", shared, Buffer.alloc(0), Buffer.concat([INFO, ephemeral, recipient]), 32));
}

export function sealTo(recipient: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const eph = generateX25519();
  const shared = diffieHellman({ privateKey: eph.key, publicKey: x25519PublicKeyObject(recipient) });
  const key = deriveKey(shared, eph.publicKey, recipient);
  const cipher = createCipheriv("chacha20-poly1305", key, NONCE, { authTagLength: 16 });
  const body = cipher.update(plaintext);
  cipher.final();
  const out = new Uint8Array(E2E_OVERHEAD + plaintext.length);
  out.set(eph.publicKey, 0);
  out.set(body, 32);
  out.set(cipher.getAuthTag(), 32 + body.length);
  return out;
}

/** Opens a sealed box; throws `MIXNET_ERROR_BAD_PAYLOAD` when it is malformed or was not sealed to `own`. */
export function openSealed(own: X25519KeyPair, sealed: Uint8Array): Uint8Array {
  if (sealed.length < E2E_OVERHEAD) throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "sealed box too short");
  const ephemeral = sealed.subarray(0, 32);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: own.key, publicKey: x25519PublicKeyObject(ephemeral) });
  } catch (cause) {
    throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "bad ephemeral key", undefined, { cause });
  }
  const key = deriveKey(shared, ephemeral, own.publicKey);
  const decipher = createDecipheriv("chacha20-poly1305", key, NONCE, { authTagLength: 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const body = decipher.update(sealed.subarray(32, sealed.length - 16));
  try {
    decipher.final();
  } catch (cause) {
    throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "sealed box does not authenticate", undefined, { cause });
  }
  return new Uint8Array(body);
}
