import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  diffieHellman,
  type KeyObject,
} from "node:crypto";
import { type ICryptoInterface, pureJsCrypto } from "@libp2p/noise";
import { generateX25519, x25519FromSecret, x25519PublicKeyObject } from "@nym-ts/mixnet";
import { Uint8ArrayList } from "uint8arraylist";

/**
 * The crypto under the links' Noise sessions, on node:crypto. @libp2p/noise's default hands node:crypto a raw key
 * on every message, which imports it into a new key object (~20 us per message here, more than sealing 2 KiB), and
 * concatenates the ciphertext and tag into a fresh buffer. This one imports each session key once (cached per key
 * array, checked byte for byte on every use) and returns the ciphertext and tag as a list without copying them:
 * ~8 us instead of ~27 us to seal a 2,414-byte message, ~2.8 instead of ~3.5 us per 2,414 bytes of a 64 KiB one.
 * The same ChaCha20-Poly1305 (RFC 8439) on the wire, so it interoperates with any libp2p Noise peer. The handshake's
 * HKDF stays @libp2p/noise's own; SHA-256 and X25519 run on node:crypto.
 */

const ALGORITHM = "chacha20-poly1305";
const TAG_BYTES = 16;

interface CachedKey {
  bytes: Buffer;
  key: KeyObject;
}
const sessionKeys = new WeakMap<Uint8Array, CachedKey>();

/** The key object of a 32-byte ChaCha20 key, built once per key array (the cache entry is re-checked each time). */
function keyObject(k: Uint8Array): KeyObject {
  const cached = sessionKeys.get(k);
  if (cached?.bytes.equals(k)) return cached.key;
  const bytes = Buffer.from(k);
  const key = createSecretKey(bytes);
  sessionKeys.set(k, { bytes, key });
  return key;
}

const asBytes = (data: Uint8Array | Uint8ArrayList): Uint8Array =>
  data instanceof Uint8Array ? data : data.subarray();

export const nodeNoiseCrypto: ICryptoInterface = {
  ...pureJsCrypto,
  hashSHA256(data) {
    const hash = createHash("sha256");
    if (data instanceof Uint8Array) hash.update(data);
    else for (const part of data) hash.update(part);
    return hash.digest();
  },
  generateX25519KeyPair() {
    const pair = generateX25519();
    return { publicKey: pair.publicKey, privateKey: pair.secretKey };
  },
  generateX25519KeyPairFromSeed(seed) {
    const pair = x25519FromSecret(seed);
    return { publicKey: pair.publicKey, privateKey: pair.secretKey };
  },
  generateX25519SharedKey(privateKey, publicKey) {
    return diffieHellman({
      privateKey: x25519FromSecret(asBytes(privateKey)).key,
      publicKey: x25519PublicKeyObject(asBytes(publicKey)),
    });
  },
  chaCha20Poly1305Encrypt(plaintext, nonce, ad, k) {
    const cipher = createCipheriv(ALGORITHM, keyObject(k), nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(ad, { plaintextLength: plaintext.byteLength });
    const out = new Uint8ArrayList();
    if (plaintext instanceof Uint8Array) out.append(cipher.update(plaintext));
    else for (const part of plaintext) out.append(cipher.update(part));
    const final = cipher.final();
    if (final.byteLength > 0) out.append(final);
    out.append(cipher.getAuthTag());
    return out;
  },
  chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k) {
    if (ciphertext.byteLength < TAG_BYTES) throw new Error("Noise message shorter than its tag");
    const textLength = ciphertext.byteLength - TAG_BYTES;
    const decipher = createDecipheriv(ALGORITHM, keyObject(k), nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(ad, { plaintextLength: textLength });
    if (ciphertext instanceof Uint8Array) {
      decipher.setAuthTag(ciphertext.subarray(textLength));
      const text = decipher.update(ciphertext.subarray(0, textLength));
      const final = decipher.final(); // throws when the tag does not verify
      return final.byteLength === 0 ? text : Buffer.concat([text, final]);
    }
    decipher.setAuthTag(ciphertext.subarray(textLength));
    const out = new Uint8ArrayList();
    for (const part of ciphertext.sublist(0, textLength)) out.append(decipher.update(part));
    const final = decipher.final();
    if (final.byteLength > 0) out.append(final);
    return out;
  },
};
