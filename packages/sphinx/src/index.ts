/**
 * @nym-ts/sphinx: Sphinx mix packets (Danezis and Goldberg, IEEE S&P 2009) in the layout of nym's `sphinx-packet`,
 * current version 258, so that our mix nodes and nym's can process each other's packets. Facts and sources:
 * ../shared/reference/sphinx-loopix.md (section 1). Pure library: no I/O, no logging, randomness injectable.
 *
 * Packet = header(348) || payload(size class; 2065 by default, 2413 bytes in all).
 * Header = alpha(32, X25519 u-coordinate) || gamma(16, MAC over beta) || beta(300 = 5 hop slots of 60 bytes).
 * Per hop with shared secret s = X25519(sk, alpha):
 *   K = HKDF-SHA256(salt = "", ikm = s, info = nym's 97-byte string, 288 bytes)
 *     = stream key(16) || MAC key(16) || Lioness key(192) || blinding factor b(32) || replay tag(32)
 *   gamma =? HMAC-SHA256(MAC key, beta)[0..16]; B = (beta || 0^60) XOR AES-128-CTR(stream key, IV 0)[0..360]
 *   B = flag(1: 1 forward, 2 final) || version(3: 0,1,2 = 258) || address(32) || delay (u64 BE ns) | identifier(16)
 *       || next gamma(16) || next beta(300)
 *   forward: alpha' = X25519(b, alpha) (clamped X25519 blinding), payload' = Lioness-decrypt(Lioness key, payload)
 * Payload plaintext = 0^16 || message || 0x01 || 0^*; Lioness (ChaCha20 + keyed BLAKE2b-256, as lioness-rs) layers,
 * added last hop first by the sender. The replay tag is the HKDF's last 32 bytes: stable for a packet at a node.
 *
 * Choices where nym leaves room or where we differ (all in constants.ts / surb.ts):
 * - Lioness uses ChaCha20 and keyed BLAKE2b exactly as nym, for byte compatibility: ChaCha20 is node:crypto's
 *   (OpenSSL, zero nonce), keyed BLAKE2b-256 is a small in-memory WebAssembly module (node:crypto has no keyed BLAKE2b).
 * - Delays are given and returned in milliseconds (number) and carried as nanoseconds (u64), as nym does.
 * - SURBs hand the replier only the last hop's payload key (see surb.ts), not all keys.
 * - Only version 258 is spoken; 1 and 257 (legacy unclamped blinding) are rejected as unknown versions.
 * - Nodes accept only the payload size classes (PayloadSize) and canonical alpha encodings (u < 2^255 - 19); nym
 *   would also accept alpha with the top bit set (X25519 ignores it), which would give a second encoding of one packet.
 *
 * Why Lioness with ChaCha20 + keyed BLAKE2b rather than a wide-block cipher from other node:crypto primitives: it is
 * what nym's nodes run, so only it keeps payloads interoperable, and it is cheap here (OpenSSL ChaCha20 plus an 8 KB
 * WebAssembly BLAKE2b: ~10-15 us to peel a 2 KiB layer, against ~40 us per X25519).
 *
 * Cost model (see bench/): a hop runs three X25519 scalar multiplications, because importing the blinding factor as
 * an X25519 private key makes OpenSSL derive its public key (a base-point multiplication node:crypto gives no way to
 * skip), plus HKDF, one HMAC, 360 bytes of AES-CTR and one Lioness layer. A sender uses one multiplication per hop
 * instead of nym's i+1 for hop i: it multiplies the blinding scalars mod l and feeds X25519 a clamped scalar congruent
 * to +-(x * b_0 * ... * b_{i-1}) (scalar.ts), falling back to the chain in the ~2^-124 case with no such scalar; with
 * the key import, that is 2 per hop.
 *
 * @example
 * ```ts
 * import { createForwardPacket, createSphinxNode, decodePayload, generateKeyPair } from "@nym-ts/sphinx";
 * const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
 * const nodes = keys.map((k) => createSphinxNode(k.privateKey));
 * const route = keys.map((k, i) => ({ address: new Uint8Array(32).fill(i + 1), publicKey: k.publicKey }));
 * let { packet } = createForwardPacket({
 *   route, delays: [15, 15, 15],
 *   destination: { address: new Uint8Array(32).fill(9), identifier: new Uint8Array(16) },
 *   message: new TextEncoder().encode("hello"),
 * });
 * for (const node of nodes) {
 *   const out = node.process(packet);                 // throws SphinxError on any bad input
 *   if (out.kind === "forward") packet = out.packet;  // send to out.nextAddress after out.delay ms
 *   else console.log(new TextDecoder().decode(decodePayload(out.payload)));
 * }
 * ```
 */
export {
  availableSphinxBackends,
  getSphinxBackend,
  type SphinxBackendName,
  setSphinxBackend,
} from "./backend.js";
export {
  DEFAULT_PAYLOAD_SIZE,
  HEADER_LENGTH,
  IDENTIFIER_LENGTH,
  MAX_PATH_LENGTH,
  NODE_ADDRESS_LENGTH,
  PAYLOAD_OVERHEAD,
  PayloadSize,
  PUBLIC_KEY_LENGTH,
  REPLAY_TAG_LENGTH,
  SPHINX_VERSION,
} from "./constants.js";
export { isSphinxError, SphinxError, type SphinxErrorCode } from "./errors.js";
export { decodePayload, isPayloadSize, maxMessageLength } from "./payload.js";
export {
  createForwardPacket,
  createSphinxNode,
  type Destination,
  type FinalHop,
  type ForwardHop,
  type ForwardPacket,
  type ForwardPacketOptions,
  generateKeyPair,
  type HeaderOptions,
  type KeyPair,
  type ProcessedPacket,
  type ProcessOptions,
  publicKeyFromPrivate,
  type RandomSource,
  type RouteNode,
  type SphinxNode,
} from "./sphinx.js";
export { createSurb, openSurbReply, SURB_LENGTH, type Surb, useSurb } from "./surb.js";
