/**
 * Payload framing and layering. Plaintext = 16 zero bytes || message || 0x01 || zero padding to the payload size;
 * layers are added with Lioness-encrypt using the hop keys last hop first, and every hop removes its own with
 * Lioness-decrypt. The zero prefix and terminator are checked only at the very end (nym has no per-hop payload
 * integrity: a tampered payload decrypts to noise and fails the check with overwhelming probability).
 */
import type { SphinxBackend } from "./backend.js";
import { PAYLOAD_OVERHEAD, PAYLOAD_ZERO_PREFIX_LENGTH, PayloadSize } from "./constants.js";
import { SphinxError } from "./errors.js";
import { lionessEncrypt } from "./lioness.js";

const PAYLOAD_SIZES: ReadonlySet<number> = new Set(Object.values(PayloadSize));

/** True when `size` is one of the payload size classes (the only sizes nodes accept). */
export function isPayloadSize(size: number): boolean {
  return PAYLOAD_SIZES.has(size);
}

export function checkPayloadSize(size: number): void {
  if (!isPayloadSize(size)) {
    throw new SphinxError(
      "SPHINX_ERROR_INVALID_LENGTH",
      `payload size ${size} is not a size class (${[...PAYLOAD_SIZES].join(", ")})`,
    );
  }
}

/** The largest message a payload of `payloadSize` bytes carries. */
export function maxMessageLength(payloadSize: number): number {
  return payloadSize - PAYLOAD_OVERHEAD;
}

/** Frames `message` into `out` (a fresh, all-zero buffer of `payloadSize` bytes) and returns it. */
export function framePayload(
  message: Uint8Array,
  payloadSize: number,
  out: Uint8Array = new Uint8Array(payloadSize),
): Uint8Array {
  checkPayloadSize(payloadSize);
  if (!(message instanceof Uint8Array) || message.length > maxMessageLength(payloadSize)) {
    throw new SphinxError(
      "SPHINX_ERROR_INVALID_ARGUMENT",
      `message must be a Uint8Array of at most ${maxMessageLength(payloadSize)} bytes for payload size ${payloadSize}`,
    );
  }
  out.set(message, PAYLOAD_ZERO_PREFIX_LENGTH);
  out[PAYLOAD_ZERO_PREFIX_LENGTH + message.length] = 0x01;
  return out;
}

/** Adds one Lioness layer per key, the last key first (so the first hop's layer is outermost). */
export function encryptLayers(payload: Uint8Array, payloadKeys: readonly Uint8Array[], b?: SphinxBackend): void {
  for (let i = payloadKeys.length - 1; i >= 0; i--) lionessEncrypt(payloadKeys[i]!, payload, b);
}

/**
 * Checks the framing of a fully decrypted payload and returns the message (a copy). This is where payload tampering
 * anywhere along the route is detected.
 */
export function decodePayload(payload: Uint8Array): Uint8Array {
  if (!(payload instanceof Uint8Array) || !isPayloadSize(payload.length)) {
    throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", "payload length is not a payload size class");
  }
  let bad = 0;
  for (let i = 0; i < PAYLOAD_ZERO_PREFIX_LENGTH; i++) bad |= payload[i]!;
  if (bad !== 0) throw new SphinxError("SPHINX_ERROR_INVALID_PAYLOAD", "payload does not start with 16 zero bytes");
  let end = payload.length - 1;
  while (end >= PAYLOAD_ZERO_PREFIX_LENGTH && payload[end] === 0) end--;
  if (end < PAYLOAD_ZERO_PREFIX_LENGTH || payload[end] !== 0x01) {
    throw new SphinxError("SPHINX_ERROR_INVALID_PAYLOAD", "payload padding does not end in a 0x01 terminator");
  }
  // new Uint8Array(view) copies; Buffer#slice would return a view of the caller's bytes
  return new Uint8Array(payload.subarray(PAYLOAD_ZERO_PREFIX_LENGTH, end));
}
