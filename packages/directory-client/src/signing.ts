import canonicalize from "canonicalize";
import { ed25519KeyPair, ed25519Verify, generateEd25519Seed, isValidEd25519PublicKeyBytes } from "./ed25519.js";
import type { SigningPurpose } from "./schemas.js";

/**
 * The canonical signing bytes, shared by the server and every client:
 *
 *   utf8("nym-directory/v1\n" + purpose + "\n" + decimal(timestamp) + "\n" + canonicalJson(payload))
 *
 * `purpose` (e.g. `register:mixnode`) binds a signature to one action, `timestamp` (Unix ms) to one moment, and the
 * canonical JSON (RFC 8785: object keys sorted by UTF-16 code unit, no whitespace; absent optional fields omitted,
 * integers only) to one body, so the same logical payload always signs to the same bytes whatever the key order on
 * the wire.
 */
export const SIGNING_DOMAIN = "nym-directory/v1";

export function signingBytes(purpose: SigningPurpose, timestamp: number, payload: unknown): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError("timestamp: expected a non-negative safe integer (Unix ms)");
  }
  return Buffer.from(`${SIGNING_DOMAIN}\n${purpose}\n${timestamp}\n${canonicalJson(payload)}`, "utf8");
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) of `value`, restricted to what the directory signs: null, booleans,
 * well-formed strings, safe integers, arrays and plain objects (members whose value is undefined are omitted, as
 * absent optional fields). The serialization is the maintained `canonicalize` package (by an author of RFC 8785);
 * the restriction is ours and refuses, before serializing, what it would otherwise encode:
 *
 * - numbers other than safe integers (RangeError): fractions and large magnitudes are where JCS serialization gets
 *   subtle (ECMAScript's shortest round-trip form, `1e+21`), and no payload field needs them;
 * - strings or keys with a lone UTF-16 surrogate (RangeError): not I-JSON, so JCS has no form for them;
 * - undefined inside arrays, functions, symbols, bigints and objects other than plain ones, such as Dates (TypeError),
 *   which JSON.stringify conventions would turn into null or a `toJSON` result.
 *
 * For the values it accepts, the bytes are those of the hand-written serializer used before (sorted keys by UTF-16
 * code units, JSON.stringify's string escapes, `String(n)` for integers), so existing signatures still verify.
 */
export function canonicalJson(value: unknown): string {
  assertSignable(value);
  return canonicalize(value) as string;
}

/** In a `u` regex, a well-formed surrogate pair is one code point, so only lone surrogates are category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

function assertSignable(value: unknown): void {
  if (value === null) return;
  switch (typeof value) {
    case "boolean":
      return;
    case "string":
      if (LONE_SURROGATE.test(value)) throw new RangeError("canonicalJson: a string has a lone UTF-16 surrogate");
      return;
    case "number":
      if (!Number.isSafeInteger(value)) throw new RangeError("canonicalJson: only safe integers are allowed");
      return;
    case "object": {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw new TypeError("canonicalJson: cannot encode undefined in an array");
          assertSignable(value[i]);
        }
        return;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError("canonicalJson: only plain objects and arrays are allowed");
      }
      for (const [key, member] of Object.entries(value)) {
        if (LONE_SURROGATE.test(key)) throw new RangeError("canonicalJson: a key has a lone UTF-16 surrogate");
        if (member !== undefined) assertSignable(member);
      }
      return;
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

/** A signer from the 32-byte Ed25519 secret seed (as kept in the node's 0600 identity key file). */
export function ed25519SignerFromSeed(seed: Uint8Array): Ed25519Signer {
  const pair = ed25519KeyPair(seed);
  return { publicKey: Buffer.from(pair.publicKey).toString("hex"), sign: pair.sign };
}

/** A fresh random identity: the signer and its seed (write the seed with `writeKeyFile`). */
export function generateEd25519Identity(): { seed: Uint8Array; signer: Ed25519Signer } {
  const seed = generateEd25519Seed();
  return { seed, signer: ed25519SignerFromSeed(seed) };
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** `Buffer.from(hex, "hex")` stops at the first bad digit; this refuses such strings instead (undefined). */
function fromHex(hex: string): Uint8Array | undefined {
  return typeof hex === "string" && HEX.test(hex) ? new Uint8Array(Buffer.from(hex, "hex")) : undefined;
}

/**
 * Whether `publicKeyHex` is a usable identity key: a canonical encoding of a curve point that is not of small order.
 * A small-order key (the identity point, say) would accept forged signatures, so such keys are refused outright.
 */
export function isValidEd25519PublicKey(publicKeyHex: string): boolean {
  const bytes = fromHex(publicKeyHex);
  return bytes !== undefined && isValidEd25519PublicKeyBytes(bytes);
}

/** Strict Ed25519 verification (see `ed25519Verify`) of hex key and signature; false for any malformed input. */
export function verifyEd25519(publicKeyHex: string, message: Uint8Array, signatureHex: string): boolean {
  const publicKey = fromHex(publicKeyHex);
  const signature = fromHex(signatureHex);
  return publicKey !== undefined && signature !== undefined && ed25519Verify(publicKey, message, signature);
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
