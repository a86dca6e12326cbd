import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import type { SigningPurpose } from "./schemas.js";

/**
 * The canonical signing bytes, shared by the server and every client:
 *
 *   utf8("nym-directory/v1\n" + purpose + "\n" + decimal(timestamp) + "\n" + canonicalJson(payload))
 *
 * `purpose` (e.g. `register:mixnode`) binds a signature to one action, `timestamp` (Unix ms) to one moment, and the
 * canonical JSON (object keys sorted by UTF-16 code unit, no whitespace, absent optional fields omitted, integers
 * only) to one body, so the same logical payload always signs to the same bytes whatever the key order on the wire.
 */
export const SIGNING_DOMAIN = "nym-directory/v1";

export function signingBytes(purpose: SigningPurpose, timestamp: number, payload: unknown): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError("timestamp: expected a non-negative safe integer (Unix ms)");
  }
  return Buffer.from(`${SIGNING_DOMAIN}\n${purpose}\n${timestamp}\n${canonicalJson(payload)}`, "utf8");
}

export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isSafeInteger(value)) throw new RangeError("canonicalJson: only safe integers are allowed");
      return String(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

/** Signs directory messages with a node's Ed25519 identity key. `publicKey` is the 32-byte key in lowercase hex. */
export interface Ed25519Signer {
  readonly publicKey: string;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** A signer from the 32-byte Ed25519 secret seed (as kept in the node's 0600 identity key file). */
export function ed25519SignerFromSeed(seed: Uint8Array): Ed25519Signer {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError("seed: expected 32 bytes");
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  return signerFromKeyObject(privateKey);
}

/** A fresh random identity: the signer and its seed (write the seed with `writeKeyFile`). */
export function generateEd25519Identity(): { seed: Uint8Array; signer: Ed25519Signer } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = new Uint8Array(Buffer.from(jwk.d as string, "base64url"));
  return { seed, signer: signerFromKeyObject(privateKey) };
}

function signerFromKeyObject(privateKey: KeyObject): Ed25519Signer {
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  const publicKey = Buffer.from(jwk.x as string, "base64url").toString("hex");
  return {
    publicKey,
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

/**
 * Whether `publicKeyHex` is a usable identity key: a canonical encoding of a curve point that is not of small order.
 * A small-order key (the identity point, say) would accept forged signatures, so such keys are refused outright.
 */
export function isValidEd25519PublicKey(publicKeyHex: string): boolean {
  try {
    const bytes = Buffer.from(publicKeyHex, "hex");
    if (bytes.length !== 32) return false;
    const point = ed25519.Point.fromBytes(bytes);
    if (point.isSmallOrder()) return false;
    return Buffer.from(point.toBytes()).equals(bytes);
  } catch {
    return false;
  }
}

/**
 * Verifies with Node's OpenSSL Ed25519 (about 20 times faster than a JS one). Callers check the key with
 * `isValidEd25519PublicKey` first; this returns false for any malformed input rather than throwing.
 */
export function verifyEd25519(publicKeyHex: string, message: Uint8Array, signatureHex: string): boolean {
  try {
    const signature = Buffer.from(signatureHex, "hex");
    if (signature.length !== 64) return false;
    const key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKeyHex, "hex").toString("base64url") },
      format: "jwk",
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Signs a payload for `purpose` at `timestamp` and returns the wire envelope. */
export async function signPayload<T>(
  purpose: SigningPurpose,
  payload: T,
  signer: Ed25519Signer,
  timestamp: number,
): Promise<{ payload: T; timestamp: number; signature: string }> {
  const signature = await signer.sign(signingBytes(purpose, timestamp, payload));
  return { payload, timestamp, signature: Buffer.from(signature).toString("hex") };
}
