/**
 * Packet creation and per-hop processing. See index.ts for the format summary and constants.ts for every size.
 */
import { randomFillSync } from "node:crypto";
import { currentBackend, type SphinxBackend, type X25519Key } from "./backend.js";
import {
  DEFAULT_PAYLOAD_SIZE,
  DEFAULT_SPHINX_VERSION,
  DESTINATION_ADDRESS_LENGTH,
  EXPANDED_SECRET_LENGTH,
  FINAL_BLOCK_META_LENGTH,
  FINAL_HOP_FLAG,
  FORWARD_HOP_FLAG,
  HEADER_LENGTH,
  HOP_SLOT_LENGTH,
  IDENTIFIER_LENGTH,
  isSphinxVersion,
  MAC_LENGTH,
  MAX_PATH_LENGTH,
  NODE_ADDRESS_LENGTH,
  NODE_META_INFO_LENGTH,
  OFFSET_BLINDING_FACTOR,
  OFFSET_MAC_KEY,
  OFFSET_PAYLOAD_KEY,
  OFFSET_REPLAY_TAG,
  PAYLOAD_KEY_LENGTH,
  PAYLOAD_KEY_SEED_LENGTH,
  PRIVATE_KEY_LENGTH,
  PUBLIC_KEY_LENGTH,
  REPLAY_TAG_LENGTH,
  ROUTING_INFO_LENGTH,
  type SphinxVersion,
  STREAM_KEY_LENGTH,
  STREAM_LENGTH,
  usesPayloadKeySeed,
  VERSION_LENGTH,
  versionBytes,
} from "./constants.js";
import { SphinxError } from "./errors.js";
import { currentKeyDerivation, HOP_KEYS_LENGTH } from "./key-derivation.js";
import { lionessDecrypt } from "./lioness.js";
import { checkPayloadSize, encryptLayers, framePayload, isPayloadSize } from "./payload.js";
import { headerKeystream, headerMac, macEquals } from "./primitives.js";
import { bytesToScalar, clamp, eighth, mulModL, representativeOfEighth } from "./scalar.js";

/** Returns `length` fresh random bytes. Inject a deterministic one for tests and vectors. */
export type RandomSource = (length: number) => Uint8Array;

export const systemRandom: RandomSource = (length) => randomFillSync(new Uint8Array(length));

/** One mix hop: its 32-byte network address (as the previous hop will see it) and its X25519 public key. */
export interface RouteNode {
  address: Uint8Array;
  publicKey: Uint8Array;
}

/** Where the final hop delivers: a 32-byte destination address and a 16-byte identifier (a SURB id, or zeros). */
export interface Destination {
  address: Uint8Array;
  identifier: Uint8Array;
}

export interface HeaderOptions {
  /** 1 to 5 hops; the packet is handed to route[0]. */
  route: readonly RouteNode[];
  /**
   * Per-hop delays in milliseconds, one per hop: delays[i] is how long route[i] holds the packet before forwarding.
   * Carried as u64 big-endian nanoseconds; the final hop's entry is not carried (as in nym).
   */
  delays: readonly number[];
  destination: Destination;
  random?: RandomSource;
  /**
   * The format version written into every hop's routing block (see SPHINX_VERSIONS): 258, 259 or 260. Default
   * DEFAULT_SPHINX_VERSION (259) for packets, DEFAULT_SURB_VERSION (260) for SURBs.
   */
  version?: SphinxVersion;
}

export interface ForwardPacketOptions extends HeaderOptions {
  message: Uint8Array;
  /** Full payload bytes, see PayloadSize; default PayloadSize.regular (2065, a 2413-byte packet). */
  payloadSize?: number;
}

export interface ForwardPacket {
  /** Address of route[0]: send the packet there. */
  firstHop: Uint8Array;
  packet: Uint8Array;
}

export interface ForwardHop {
  kind: "forward";
  /** The version this hop's routing block carried (it chose how the payload key was derived). */
  version: SphinxVersion;
  /** Where to send `packet` next. */
  nextAddress: Uint8Array;
  /** How long to hold the packet, in milliseconds (from `delayNanos`). */
  delay: number;
  /** The exact delay carried on the wire, in nanoseconds. */
  delayNanos: bigint;
  packet: Uint8Array;
  /** 32 bytes, the same for the same packet at the same node: store it to refuse replays. */
  replayTag: Uint8Array;
}

export interface FinalHop {
  kind: "final";
  version: SphinxVersion;
  destination: Uint8Array;
  identifier: Uint8Array;
  /** The payload with every layer removed; `decodePayload` (forward packets) or `openSurbReply` (replies) reads it. */
  payload: Uint8Array;
  replayTag: Uint8Array;
}

export type ProcessedPacket = ForwardHop | FinalHop;

export interface ProcessOptions {
  /**
   * Called with the replay tag before the MAC check and the second X25519; return true to reject the packet with
   * SPHINX_ERROR_REPLAY. The caller records tags of packets it accepted. (Errors thrown by the callback itself
   * propagate unchanged: they are the caller's, not the packet's.)
   */
  isReplay?: (replayTag: Uint8Array) => boolean;
}

export interface SphinxNode {
  readonly publicKey: Uint8Array;
  process(packet: Uint8Array, options?: ProcessOptions): ProcessedPacket;
}

export interface KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

const MAX_DELAY_NANOS = BigInt(Number.MAX_SAFE_INTEGER);

function invalid(message: string): SphinxError {
  return new SphinxError("SPHINX_ERROR_INVALID_ARGUMENT", message);
}

function checkBytes(value: unknown, length: number, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", `${what} must be a Uint8Array of ${length} bytes`);
  }
}

function randomBytes(random: RandomSource, length: number): Uint8Array {
  const bytes = random(length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw invalid(`random source returned something other than ${length} bytes`);
  }
  return bytes;
}

/** Generates an X25519 key pair for a mix node (clamped secret, public = x * B). */
export function generateKeyPair(random: RandomSource = systemRandom): KeyPair {
  const privateKey = clamp(randomBytes(random, PRIVATE_KEY_LENGTH));
  const b = currentBackend();
  return { privateKey, publicKey: b.publicKeyOf(b.privateKey(privateKey)) };
}

export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  checkBytes(privateKey, PRIVATE_KEY_LENGTH, "private key");
  const b = currentBackend();
  return b.publicKeyOf(b.privateKey(privateKey));
}

export function delayToNanos(delayMs: number): bigint {
  if (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0) {
    throw invalid("delays must be finite, non-negative numbers of milliseconds");
  }
  const nanos = BigInt(Math.round(delayMs * 1e6));
  if (nanos > MAX_DELAY_NANOS) throw invalid("delay too large");
  return nanos;
}

interface BuiltHeader {
  header: Uint8Array;
  version: SphinxVersion;
  /** Every hop's 288-byte expanded secret, route order. */
  secrets: Uint8Array[];
}

/** A hop's 16-byte payload key seed (259, 260): a view into its expanded secret. */
export function payloadKeySeedOf(secret: Uint8Array): Uint8Array {
  return secret.subarray(OFFSET_PAYLOAD_KEY, OFFSET_PAYLOAD_KEY + PAYLOAD_KEY_SEED_LENGTH);
}

/**
 * A hop's 192-byte Lioness key under `version`: a view into the secret (258) or, for 259 and 260, the key derived from
 * its seed, which follows the 288 bytes when the key derivation computed it with them (key-derivation.ts), else
 * derived now.
 */
export function payloadKeyOf(secret: Uint8Array, version: SphinxVersion): Uint8Array {
  if (!usesPayloadKeySeed(version)) return secret.subarray(OFFSET_PAYLOAD_KEY, OFFSET_PAYLOAD_KEY + PAYLOAD_KEY_LENGTH);
  return secret.length >= HOP_KEYS_LENGTH
    ? secret.subarray(EXPANDED_SECRET_LENGTH, HOP_KEYS_LENGTH)
    : currentKeyDerivation().payloadKey(payloadKeySeedOf(secret));
}

/**
 * Derives every hop's expanded secret (288 bytes each; with `withPayloadKeys`, 480: each followed by its 259/260
 * payload key, derived in the same call on the native path). Hop 0 uses the ephemeral key directly; hop i > 0 uses one
 * scalar multiplication by a clamped representative of x * prod(clamp(b_j)) (see scalar.ts), falling back to the
 * chained X25519 blindings when no representative exists.
 */
export function deriveHopSecrets(
  ephemeral: Uint8Array,
  route: readonly RouteNode[],
  chained = false,
  b: SphinxBackend = currentBackend(),
  ephemeralKey: X25519Key = b.privateKey(ephemeral),
  withPayloadKeys = false,
): Uint8Array[] {
  const kd = currentKeyDerivation();
  const secrets: Uint8Array[] = [];
  // x * clamp(b_0) * ... * clamp(b_{i-1}) / 8 mod l (see scalar.ts)
  let accumulator = eighth(bytesToScalar(clamp(ephemeral)));
  for (let i = 0; i < route.length; i++) {
    const pk = b.routeKey(route[i]!.publicKey);
    let shared: Uint8Array;
    const representative = i === 0 || chained ? undefined : representativeOfEighth(accumulator);
    if (i === 0) {
      shared = b.x25519(ephemeralKey, pk);
    } else if (representative !== undefined) {
      shared = b.x25519(b.privateKey(representative), pk);
    } else {
      shared = b.x25519(ephemeralKey, pk);
      for (let j = 0; j < i; j++) {
        const blinding = secrets[j]!.subarray(OFFSET_BLINDING_FACTOR, OFFSET_BLINDING_FACTOR + 32);
        shared = b.x25519(b.privateKey(blinding), b.publicKey(shared));
      }
    }
    const expanded = kd.hopKeys(shared, withPayloadKeys);
    secrets.push(expanded);
    const blinding = expanded.subarray(OFFSET_BLINDING_FACTOR, OFFSET_BLINDING_FACTOR + 32);
    accumulator = mulModL(accumulator, bytesToScalar(clamp(blinding)));
  }
  return secrets;
}

function checkRoute(options: HeaderOptions): void {
  const { route, delays, destination, version } = options;
  if (version !== undefined && !isSphinxVersion(version)) throw invalid("version must be 258, 259 or 260");
  if (!Array.isArray(route) || route.length < 1 || route.length > MAX_PATH_LENGTH) {
    throw invalid(`route must have 1 to ${MAX_PATH_LENGTH} hops`);
  }
  for (const node of route) {
    checkBytes(node?.address, NODE_ADDRESS_LENGTH, "node address");
    checkBytes(node?.publicKey, PUBLIC_KEY_LENGTH, "node public key");
  }
  if (!Array.isArray(delays) || delays.length !== route.length) throw invalid("delays must have one entry per hop");
  checkBytes(destination?.address, DESTINATION_ADDRESS_LENGTH, "destination address");
  checkBytes(destination?.identifier, IDENTIFIER_LENGTH, "destination identifier");
}

export function buildHeader(
  options: HeaderOptions,
  defaultVersion: SphinxVersion,
  b: SphinxBackend = currentBackend(),
  header: Uint8Array = new Uint8Array(HEADER_LENGTH),
  /** The caller will use the hops' payload keys (packets, not SURBs): 259/260 derive them with the secrets. */
  payloadKeys = false,
): BuiltHeader {
  checkRoute(options);
  const { route, delays, destination } = options;
  const version = options.version === undefined ? defaultVersion : options.version;
  const versionField = versionBytes(version);
  const random = options.random ?? systemRandom;
  const n = route.length;
  const delayNanos = delays.map(delayToNanos);
  // One draw for the ephemeral secret and the final hop's padding.
  const finalLength = ROUTING_INFO_LENGTH - HOP_SLOT_LENGTH * (n - 1);
  const drawn = randomBytes(random, PRIVATE_KEY_LENGTH + finalLength - FINAL_BLOCK_META_LENGTH);
  const ephemeral = drawn.subarray(0, PRIVATE_KEY_LENGTH);
  const ephemeralKey = b.privateKey(ephemeral);
  const alpha = b.publicKeyOf(ephemeralKey);
  const withPayloadKeys = payloadKeys && usesPayloadKeySeed(version);
  const secrets = deriveHopSecrets(ephemeral, route, false, b, ephemeralKey, withPayloadKeys);
  const streams = secrets.map((s) => headerKeystream(s.subarray(0, STREAM_KEY_LENGTH)));
  const macKey = (i: number) => secrets[i]!.subarray(OFFSET_MAC_KEY, OFFSET_MAC_KEY + 16);

  // Filler (Sphinx paper): what hops 1..n-1 will see appear at the end of beta after each shift, pre-encrypted.
  // After step i it is (i + 1) slots long: the previous filler, a zero slot, XORed with the end of hop i's stream.
  const filler = new Uint8Array(HOP_SLOT_LENGTH * (n - 1));
  for (let i = 0; i < n - 1; i++) {
    const length = HOP_SLOT_LENGTH * (i + 1);
    const stream = streams[i]!;
    const offset = STREAM_LENGTH - length;
    for (let j = 0; j < length; j++) filler[j]! ^= stream[offset + j]!;
  }

  // Final hop: flag, version, destination, identifier, random padding; encrypted; then the filler.
  const beta = header.subarray(PUBLIC_KEY_LENGTH + MAC_LENGTH, HEADER_LENGTH);
  beta[0] = FINAL_HOP_FLAG;
  beta.set(versionField, 1);
  beta.set(destination.address, 1 + VERSION_LENGTH);
  beta.set(destination.identifier, 1 + VERSION_LENGTH + DESTINATION_ADDRESS_LENGTH);
  beta.set(drawn.subarray(PRIVATE_KEY_LENGTH), FINAL_BLOCK_META_LENGTH);
  const lastStream = streams[n - 1]!;
  for (let j = 0; j < finalLength; j++) beta[j]! ^= lastStream[j]!;
  beta.set(filler, finalLength);
  let gamma = headerMac(macKey(n - 1), beta, b.sha256);

  // Each earlier hop: its slot (flag, version, next address, delay, next gamma) followed by the next beta minus its
  // last slot, encrypted. Built in place: shift beta right by one slot, write the slot, XOR the stream.
  const view = new DataView(beta.buffer, beta.byteOffset, beta.length);
  for (let i = n - 2; i >= 0; i--) {
    beta.copyWithin(HOP_SLOT_LENGTH, 0, ROUTING_INFO_LENGTH - HOP_SLOT_LENGTH);
    beta[0] = FORWARD_HOP_FLAG;
    beta.set(versionField, 1);
    beta.set(route[i + 1]!.address, 1 + VERSION_LENGTH);
    view.setBigUint64(1 + VERSION_LENGTH + NODE_ADDRESS_LENGTH, delayNanos[i]!, false);
    beta.set(gamma, NODE_META_INFO_LENGTH);
    const stream = streams[i]!;
    for (let j = 0; j < ROUTING_INFO_LENGTH; j++) beta[j]! ^= stream[j]!;
    gamma = headerMac(macKey(i), beta, b.sha256);
  }

  header.set(alpha, 0);
  header.set(gamma, PUBLIC_KEY_LENGTH);
  return { header, version, secrets };
}

/**
 * Builds a forward packet: header for the route plus the message, framed and layer-encrypted. The version is
 * `options.version`, DEFAULT_SPHINX_VERSION (259) when absent.
 */
export function createForwardPacket(options: ForwardPacketOptions): ForwardPacket {
  const payloadSize = options.payloadSize ?? DEFAULT_PAYLOAD_SIZE;
  checkPayloadSize(payloadSize);
  // header and payload are built in place in the packet
  const packet = new Uint8Array(HEADER_LENGTH + payloadSize);
  const payload = framePayload(options.message, payloadSize, packet.subarray(HEADER_LENGTH));
  const b = currentBackend();
  const { secrets, version } = buildHeader(options, DEFAULT_SPHINX_VERSION, b, packet.subarray(0, HEADER_LENGTH), true);
  encryptLayers(
    payload,
    secrets.map((s) => payloadKeyOf(s, version)),
    b,
  );
  return { firstHop: new Uint8Array(options.route[0]!.address), packet };
}

/** A node's processing state: its private key, prepared once for the backend active now (which the node keeps). */
export function createSphinxNode(privateKey: Uint8Array): SphinxNode {
  checkBytes(privateKey, PRIVATE_KEY_LENGTH, "private key");
  const b = currentBackend();
  const key = b.privateKey(privateKey);
  const publicKey = b.publicKeyOf(key);
  return {
    publicKey,
    process: (packet, options) => processPacket(b, key, packet, options),
  };
}

/**
 * X25519 ignores the top bit of u and reduces u mod p = 2^255 - 19, so u + 2^255 (and u + p, for u < 19) would be
 * second encodings of alpha with the same shared secret and replay tag. Senders never produce them; refusing them
 * leaves no header bit that neither the MAC nor the key agreement covers.
 */
function isCanonicalPoint(u: Uint8Array): boolean {
  const top = u[31]!;
  if (top < 0x7f) return true;
  if (top > 0x7f) return false;
  for (let i = 30; i > 0; i--) if (u[i] !== 0xff) return true;
  return u[0]! < 0xed;
}

function processPacket(
  b: SphinxBackend,
  key: X25519Key,
  packet: Uint8Array,
  options?: ProcessOptions,
): ProcessedPacket {
  if (!(packet instanceof Uint8Array)) throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", "packet must be bytes");
  if (!isPayloadSize(packet.length - HEADER_LENGTH)) {
    throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", `packet of ${packet.length} bytes is not a packet size`);
  }
  const alpha = packet.subarray(0, PUBLIC_KEY_LENGTH);
  if (!isCanonicalPoint(alpha)) {
    throw new SphinxError("SPHINX_ERROR_INVALID_POINT", "alpha is not a canonical X25519 u-coordinate");
  }
  const gamma = packet.subarray(PUBLIC_KEY_LENGTH, PUBLIC_KEY_LENGTH + MAC_LENGTH);
  const beta = packet.subarray(PUBLIC_KEY_LENGTH + MAC_LENGTH, HEADER_LENGTH);

  const alphaKey = b.publicKey(alpha);
  // The version is known only once the routing block is decrypted: the native path derives the payload key up front
  // (cheap there), the JS path when a 259/260 hop needs it (payloadKeyOf).
  const kd = currentKeyDerivation();
  const secret = kd.hopKeys(b.x25519(key, alphaKey), kd.eagerPayloadKey);
  const replayTag = secret.slice(OFFSET_REPLAY_TAG, OFFSET_REPLAY_TAG + REPLAY_TAG_LENGTH);
  if (options?.isReplay?.(replayTag) === true) {
    throw new SphinxError("SPHINX_ERROR_REPLAY", "replay tag already seen at this node");
  }
  if (!macEquals(headerMac(secret.subarray(OFFSET_MAC_KEY, OFFSET_MAC_KEY + 16), beta, b.sha256), gamma)) {
    throw new SphinxError("SPHINX_ERROR_INVALID_MAC", "header MAC does not verify");
  }

  // beta || 0^60, decrypted: this hop's block followed by the next hop's gamma and beta.
  const routing = headerKeystream(secret.subarray(0, STREAM_KEY_LENGTH));
  for (let i = 0; i < ROUTING_INFO_LENGTH; i++) routing[i]! ^= beta[i]!;
  const version = routing[1] === 0 ? (routing[2]! << 8) | routing[3]! : -1;
  if (!isSphinxVersion(version)) {
    throw new SphinxError("SPHINX_ERROR_UNKNOWN_VERSION", "routing information carries an unknown version");
  }
  const flag = routing[0];
  if (flag !== FORWARD_HOP_FLAG && flag !== FINAL_HOP_FLAG) {
    throw new SphinxError("SPHINX_ERROR_INVALID_FLAG", `routing flag ${flag} is neither forward nor final`);
  }
  const payloadKey = payloadKeyOf(secret, version);

  if (flag === FINAL_HOP_FLAG) {
    // a copy (Buffer#slice would be a view, and Lioness works in place)
    const payload = new Uint8Array(packet.subarray(HEADER_LENGTH));
    lionessDecrypt(payloadKey, payload, b);
    const destinationStart = 1 + VERSION_LENGTH;
    const identifierStart = destinationStart + DESTINATION_ADDRESS_LENGTH;
    return {
      kind: "final",
      version,
      destination: routing.slice(destinationStart, identifierStart),
      identifier: routing.slice(identifierStart, identifierStart + IDENTIFIER_LENGTH),
      payload,
      replayTag,
    };
  }

  const blinding = secret.subarray(OFFSET_BLINDING_FACTOR, OFFSET_BLINDING_FACTOR + 32);
  const nextAlpha = b.x25519(b.privateKey(blinding), alphaKey);
  const next = new Uint8Array(packet.length);
  next.set(nextAlpha, 0);
  next.set(routing.subarray(NODE_META_INFO_LENGTH), PUBLIC_KEY_LENGTH);
  next.set(packet.subarray(HEADER_LENGTH), HEADER_LENGTH);
  lionessDecrypt(payloadKey, next.subarray(HEADER_LENGTH), b);
  const addressStart = 1 + VERSION_LENGTH;
  const delayNanos = new DataView(routing.buffer, routing.byteOffset).getBigUint64(
    addressStart + NODE_ADDRESS_LENGTH,
    false,
  );
  return {
    kind: "forward",
    version,
    nextAddress: routing.slice(addressStart, addressStart + NODE_ADDRESS_LENGTH),
    delay: Number(delayNanos) / 1e6,
    delayNanos,
    packet: next,
    replayTag,
  };
}
