import { hash_to_field } from "@noble/curves/abstract/hash-to-curve.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { assertBytes, utf8 } from "./bytes.js";
import { defaultRng, R, type Rng, randomScalar } from "./fr.js";

const DST_ATTRIBUTE = utf8("NYM-TS-COCONUT-V1_ATTRIBUTE_XMD:SHA-256_");

/** Maps arbitrary bytes to an attribute scalar (RFC 9380 hash_to_field into Fr, SHA-256, our own DST). */
export function hashToScalar(msg: Uint8Array, dst: Uint8Array = DST_ATTRIBUTE): bigint {
  assertBytes(msg, "msg");
  assertBytes(dst, "dst");
  const [[x]] = hash_to_field(msg, 1, { DST: dst, p: R, m: 1, k: 128, expand: "xmd", hash: sha256 }) as [[bigint]];
  return x;
}

/** A fresh random nonzero attribute (e.g. a serial number or a binding number). */
export function randomAttribute(rng: Rng = defaultRng): bigint {
  return randomScalar(rng);
}
