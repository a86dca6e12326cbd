/**
 * Lioness (Anderson and Biham, 1996) wide-block cipher as in burdges/lioness-rs, which nym uses for Sphinx payloads:
 * ChaCha20 as the stream cipher and BLAKE2b-256 keyed with 64 bytes as the hash.
 *
 *   key = k1(32) || k2(64) || k3(32) || k4(64)         block = L(32) || R(rest), |block| > 32
 *   encrypt: R ^= S(L ^ k1); L ^= H(k2, R); R ^= S(L ^ k3); L ^= H(k4, R)
 *   decrypt: the same four steps in reverse order.
 *
 * Both functions work in place on `block`, with the ChaCha20 and BLAKE2b of the given backend (default: the active
 * one; see backend.ts).
 */

import { currentBackend, type SphinxBackend } from "./backend.js";
import { PAYLOAD_KEY_LENGTH } from "./constants.js";

const HALF = 32;

function streamStep(
  b: SphinxBackend,
  block: Uint8Array,
  key: Uint8Array,
  keyOffset: number,
  scratch: Uint8Array,
): void {
  for (let i = 0; i < HALF; i++) scratch[i] = block[i]! ^ key[keyOffset + i]!;
  b.chacha20Xor(scratch, block.subarray(HALF));
}

function hashStep(b: SphinxBackend, block: Uint8Array, key: Uint8Array, keyOffset: number, scratch: Uint8Array): void {
  b.blake2b(block.subarray(HALF), key.subarray(keyOffset, keyOffset + 64), scratch);
  for (let i = 0; i < HALF; i++) block[i]! ^= scratch[i]!;
}

const K1 = 0;
const K2 = 32;
const K3 = 96;
const K4 = 128;

export function lionessEncrypt(key: Uint8Array, block: Uint8Array, b: SphinxBackend = currentBackend()): void {
  check(key, block);
  const scratch = new Uint8Array(HALF);
  streamStep(b, block, key, K1, scratch);
  hashStep(b, block, key, K2, scratch);
  streamStep(b, block, key, K3, scratch);
  hashStep(b, block, key, K4, scratch);
}

export function lionessDecrypt(key: Uint8Array, block: Uint8Array, b: SphinxBackend = currentBackend()): void {
  check(key, block);
  const scratch = new Uint8Array(HALF);
  hashStep(b, block, key, K4, scratch);
  streamStep(b, block, key, K3, scratch);
  hashStep(b, block, key, K2, scratch);
  streamStep(b, block, key, K1, scratch);
}

function check(key: Uint8Array, block: Uint8Array): void {
  // Internal invariant: callers validate sizes and raise SphinxError first.
  if (key.length !== PAYLOAD_KEY_LENGTH || block.length <= HALF) {
    throw new RangeError("lioness: key must be 192 bytes and block longer than 32 bytes");
  }
}
