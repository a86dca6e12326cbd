/**
 * The only error type this library throws. Every failure (malformed packet, bad MAC, unknown version, bad argument to
 * a builder) is a `SphinxError` with a stable `code`, so callers can count rejections by cause without parsing
 * messages.
 */
export type SphinxErrorCode =
  /** A packet, header, payload, key or SURB has the wrong length. */
  | "SPHINX_ERROR_INVALID_LENGTH"
  /** The header MAC (gamma) does not match the routing information: tampered, corrupted, or not for this node. */
  | "SPHINX_ERROR_INVALID_MAC"
  /** The decrypted routing block carries a version this library does not speak. */
  | "SPHINX_ERROR_UNKNOWN_VERSION"
  /** The decrypted routing block carries a flag that is neither forward nor final. */
  | "SPHINX_ERROR_INVALID_FLAG"
  /** A group element (alpha or a public key) is not usable: low order, giving an all-zero shared secret. */
  | "SPHINX_ERROR_INVALID_POINT"
  /** The payload's end-to-end framing (16 zero bytes, 0x01 terminator) is wrong: tampered or wrong keys. */
  | "SPHINX_ERROR_INVALID_PAYLOAD"
  /** The caller's replay check reported this packet's replay tag as already seen at this node. */
  | "SPHINX_ERROR_REPLAY"
  /** A builder argument is out of range (route length, delays, message size, payload size, address sizes). */
  | "SPHINX_ERROR_INVALID_ARGUMENT";

export class SphinxError extends Error {
  override readonly name = "SphinxError";
  readonly code: SphinxErrorCode;

  constructor(code: SphinxErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isSphinxError(e: unknown): e is SphinxError {
  return e instanceof SphinxError;
}
