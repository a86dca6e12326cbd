/**
 * Every size and constant of the packet formats, in one place. Values follow nym's `sphinx-packet` crate (versions
 * 258, 259 and 260, read from the sources of crates 0.5.0, 0.6.0 and 0.8.0 and checked against packets, SURBs and
 * replies the crates made: test/vectors/nym-sphinx-packet-*.json); sources in docs/architecture.md ("Sources").
 */

/** k in the Sphinx paper: MAC length, identifier length, stream-cipher key length (bytes). */
export const SECURITY_PARAMETER = 16;
/** r in the Sphinx paper: the header always has room for this many hops. */
export const MAX_PATH_LENGTH = 5;
export const NODE_ADDRESS_LENGTH = 32;
export const DESTINATION_ADDRESS_LENGTH = 32;
export const IDENTIFIER_LENGTH = 16;
export const PUBLIC_KEY_LENGTH = 32;
export const PRIVATE_KEY_LENGTH = 32;
export const MAC_LENGTH = 16;
export const VERSION_LENGTH = 3;
export const DELAY_LENGTH = 8;
export const FLAG_LENGTH = 1;

export const FORWARD_HOP_FLAG = 0x01;
export const FINAL_HOP_FLAG = 0x02;

/** flag(1) + version(3) + address(32) + delay(8) = 44. */
export const NODE_META_INFO_LENGTH = FLAG_LENGTH + VERSION_LENGTH + NODE_ADDRESS_LENGTH + DELAY_LENGTH;
/** One hop's slot in beta: meta info plus the next hop's MAC = 60. */
export const HOP_SLOT_LENGTH = NODE_META_INFO_LENGTH + MAC_LENGTH;
/** beta: 5 x 60 = 300 bytes. */
export const ROUTING_INFO_LENGTH = HOP_SLOT_LENGTH * MAX_PATH_LENGTH;
/** Each hop's header keystream covers beta plus one slot of zero padding: 360 bytes. */
export const STREAM_LENGTH = ROUTING_INFO_LENGTH + HOP_SLOT_LENGTH;
/** alpha(32) + gamma(16) + beta(300) = 348. */
export const HEADER_LENGTH = PUBLIC_KEY_LENGTH + MAC_LENGTH + ROUTING_INFO_LENGTH;
/** Final-hop block: flag(1) + version(3) + destination(32) + identifier(16), then random padding. */
export const FINAL_BLOCK_META_LENGTH = FLAG_LENGTH + VERSION_LENGTH + DESTINATION_ADDRESS_LENGTH + IDENTIFIER_LENGTH;

/** Lioness raw key: k1(32) + k2(64) + k3(32) + k4(64). */
export const PAYLOAD_KEY_LENGTH = 192;
export const BLINDING_FACTOR_LENGTH = 32;
export const REPLAY_TAG_LENGTH = 32;
export const STREAM_KEY_LENGTH = 16;
export const MAC_KEY_LENGTH = 16;
/** HKDF output: stream key(16) + MAC key(16) + payload key(192) + blinding factor(32) + replay tag(32). */
export const EXPANDED_SECRET_LENGTH =
  STREAM_KEY_LENGTH + MAC_KEY_LENGTH + PAYLOAD_KEY_LENGTH + BLINDING_FACTOR_LENGTH + REPLAY_TAG_LENGTH;
export const OFFSET_MAC_KEY = STREAM_KEY_LENGTH;
export const OFFSET_PAYLOAD_KEY = OFFSET_MAC_KEY + MAC_KEY_LENGTH;
export const OFFSET_BLINDING_FACTOR = OFFSET_PAYLOAD_KEY + PAYLOAD_KEY_LENGTH;
export const OFFSET_REPLAY_TAG = OFFSET_BLINDING_FACTOR + BLINDING_FACTOR_LENGTH;

/** HKDF-SHA256 info string of nym's key schedule (97 ASCII bytes); the salt is empty. */
export const HKDF_INFO = new TextEncoder().encode(
  "Dwste mou enan moxlo arketa makru kai ena upomoxlio gia na ton topothetisw kai tha kinisw thn gh.",
);

/** Payload framing: 16 zero bytes in front, a 0x01 terminator, zero padding: 17 bytes of overhead. */
export const PAYLOAD_ZERO_PREFIX_LENGTH = SECURITY_PARAMETER;
export const PAYLOAD_OVERHEAD = SECURITY_PARAMETER + 1;

/**
 * Payload size classes (full payload bytes, overhead included), as nym's packet sizes: the whole packet is
 * HEADER_LENGTH + payload size, e.g. 348 + 2065 = 2413 bytes for a regular packet.
 */
export const PayloadSize = {
  /** nym's ack packets: 16-byte IV + 5-byte fragment id. */
  ack: 16 + 5 + PAYLOAD_OVERHEAD,
  /** The default: 2 KiB of message. */
  regular: 2048 + PAYLOAD_OVERHEAD,
  extended8: 8192 + PAYLOAD_OVERHEAD,
  extended16: 16384 + PAYLOAD_OVERHEAD,
  extended32: 32768 + PAYLOAD_OVERHEAD,
} as const;
export const DEFAULT_PAYLOAD_SIZE = PayloadSize.regular;

/**
 * Format versions, 3 bytes in every hop's routing block: [0, u16 big-endian]. All three share the header layout,
 * the clamped X25519 blinding and the 288-byte key schedule; they differ in the payload (Lioness) key and the SURB:
 * - 258: the payload key is the HKDF output's 192 bytes at OFFSET_PAYLOAD_KEY (crate 0.5.0's default);
 * - 259: the payload key is HKDF-SHA256(salt = PAYLOAD_KEY_HKDF_SALT, ikm = seed, info = PAYLOAD_KEY_HKDF_INFO, 192)
 *   where the seed is the 16 bytes at OFFSET_PAYLOAD_KEY (crate 0.6.0's default; what nym's current release sends);
 * - 260: hops process it exactly as 259; its SURBs hand the replier only the last hop's seed (crate 0.8.0's default).
 * 1 and 257 (the legacy unclamped blinding) and any other value are refused as unknown versions.
 */
export const SPHINX_VERSIONS = [258, 259, 260] as const;
export type SphinxVersion = (typeof SPHINX_VERSIONS)[number];

/**
 * What createForwardPacket builds by default: 259. nym's current release (nym-sphinx-types 2.0.0, which pins
 * sphinx-packet =0.8.0) builds every packet `.with_version(PAYLOAD_KEYS_SEEDS_VERSION)`, i.e. 259, although the
 * crate's own default is 260; its reply SURBs (nym-sphinx-anonymous-replies 2.0.0) are 259 too.
 */
export const DEFAULT_SPHINX_VERSION: SphinxVersion = 259;
/**
 * What createSurb builds by default: 260, nym's single-seed SURB, which hands the replier only the last hop's key
 * material (the property our own SURB always had); nym's nodes (crates 0.6.0 and 0.8.0) process it like 259.
 */
export const DEFAULT_SURB_VERSION: SphinxVersion = 260;

export function isSphinxVersion(value: unknown): value is SphinxVersion {
  return value === 258 || value === 259 || value === 260;
}

/** True for the versions whose payload key comes from a 16-byte seed (259, 260). */
export function usesPayloadKeySeed(version: SphinxVersion): boolean {
  return version !== 258;
}

export function versionBytes(version: SphinxVersion): Uint8Array {
  return Uint8Array.of(0, (version >> 8) & 0xff, version & 0xff);
}

/** 259 and 260: the payload key seed is the first 16 bytes where 258 has its 192-byte payload key. */
export const PAYLOAD_KEY_SEED_LENGTH = SECURITY_PARAMETER;
/** HKDF-SHA256 salt and info of the seed-to-payload-key expansion (259, 260), ASCII as in the crate. */
export const PAYLOAD_KEY_HKDF_SALT = new TextEncoder().encode("sphinx-payload-key-V01-CS01-HKDF:SHA256-SALT");
export const PAYLOAD_KEY_HKDF_INFO = new TextEncoder().encode("sphinx-payload-key-V01-CS01-HKDF:SHA256-INFO");
