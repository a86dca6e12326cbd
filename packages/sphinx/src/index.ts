/**
 * @nym-ts/sphinx: Sphinx mix packets (Danezis and Goldberg, IEEE S&P 2009) in the formats of nym's `sphinx-packet`
 * crate, versions 258, 259 and 260. Sources: docs/architecture.md ("Sources"). Pure library: no I/O, no logging,
 * randomness injectable.
 *
 * What the tests prove about nym (test/vectors/nym-interop.test.ts, on vectors printed by crates 0.5.0, 0.6.0 and
 * 0.8.0 themselves, on both backends): for every version each crate builds, our nodes give exactly the crate's hop
 * results (next packet, address, delay, replay tag, final payload) for the crate's packets and SURB replies; our
 * builders produce the crate's packets, SURBs and 260 recovery bytes byte for byte from the crate's inputs, so the
 * crate's nodes and recipients accept ours; and the crates' nodes processed our golden vectors exactly as ours do
 * (0.5.0 was given our 258 vectors only: it derives 258's payload key whatever the version says).
 * Versions: 0.5.0 builds 258; 0.6.0 and 0.8.0 build 258, 259 and 260 (0.6.0 has no 260 constant but derives its
 * payload key like 259's). Not covered: anything above Sphinx (nym's topology, framing, Noise, its client messages).
 *
 * Packet = header(348) || payload(size class; 2065 by default, 2413 bytes in all).
 * Header = alpha(32, X25519 u-coordinate) || gamma(16, MAC over beta) || beta(300 = 5 hop slots of 60 bytes).
 * Per hop with shared secret s = X25519(sk, alpha):
 *   K = HKDF-SHA256(salt = "", ikm = s, info = nym's 97-byte string, 288 bytes)
 *     = stream key(16) || MAC key(16) || payload key slot(192) || blinding factor b(32) || replay tag(32)
 *   gamma =? HMAC-SHA256(MAC key, beta)[0..16]; B = (beta || 0^60) XOR AES-128-CTR(stream key, IV 0)[0..360]
 *   B = flag(1: 1 forward, 2 final) || version(3: 0, u16 BE) || address(32) || delay (u64 BE ns) | identifier(16)
 *       || next gamma(16) || next beta(300)
 *   payload key = the 192-byte slot (258), or HKDF-SHA256(salt, ikm = the slot's first 16 bytes, info, 192) with
 *     the crate's "sphinx-payload-key-V01-CS01-HKDF:SHA256-{SALT,INFO}" strings (259, 260)
 *   forward: alpha' = X25519(b, alpha) (clamped X25519 blinding), payload' = Lioness-decrypt(payload key, payload)
 * Each hop reads the version from its own routing block, so one node processes all three; 1, 257 (legacy unclamped
 * blinding) and other values are SPHINX_ERROR_UNKNOWN_VERSION (nym's crates would treat an unknown value like 259).
 * Payload plaintext = 0^16 || message || 0x01 || 0^*; Lioness (ChaCha20 + keyed BLAKE2b-256, as lioness-rs) layers,
 * added last hop first by the sender. The replay tag is the HKDF's last 32 bytes: stable for a packet at a node.
 *
 * Versions and defaults (constants.ts): `createForwardPacket` builds 259 unless told otherwise, because nym's current
 * release sends 259 (nym-sphinx-types 2.0.0 pins crate 0.8.0, whose own default is 260, and builds every packet
 * `.with_version(PAYLOAD_KEYS_SEEDS_VERSION)`); `createSurb` builds 260, nym's single-seed SURB (see surb.ts).
 *
 * SURBs use nym's layout, header || first hop || key material (surb.ts has the table): our original SURB, which
 * hands the replier only the last hop's 192-byte key (572 bytes, version 258), is exactly a nym 258 SURB with one
 * key, so nothing was lost by adopting the layout; nym's 258 ("every-hop" keys), 259 ("every-hop" seeds) and 260
 * (last hop's seed, with the creator's recovery bytes in crate 0.8.0's layout) are created and read beside it.
 * Crates 0.5.0 and 0.6.0 use our 258 SURB; 0.8.0 refuses every 258 SURB (it reads key material as seeds only).
 *
 * Choices where nym leaves room or where we differ (all in constants.ts / surb.ts):
 * - Lioness uses ChaCha20 and keyed BLAKE2b exactly as nym, for byte compatibility (see "Primitives" below).
 * - Delays are given and returned in milliseconds (number) and carried as nanoseconds (u64), as nym does.
 * - Nodes accept only the payload size classes (PayloadSize) and canonical alpha encodings (u < 2^255 - 19); nym
 *   would also accept alpha with the top bit set (X25519 ignores it), which would give a second encoding of one packet.
 *
 * Primitives and why (backend.ts; `pnpm bench` prints each choice measured both ways). Two backends give
 * byte-identical packets and hop results, proven by tests on every run (both reproduce the golden vectors):
 * - "sodium" (default when the `sodium-native` package loads; it ships N-API prebuilds, nothing is compiled):
 *   libsodium's X25519 on raw 32-byte scalars and points, its ChaCha20, keyed BLAKE2b and SHA-256 (under the MAC).
 * - "node" (NYM_SPHINX_BACKEND=node, or when sodium-native is unavailable): node:crypto only, the portable reference.
 * AES-128-CTR is node:crypto on both. The per-hop key derivation (HKDF-SHA256 to the 288-byte key schedule, and for
 * 259 and 260 the payload key, HKDF-SHA256 of a 16-byte seed to 192 bytes) has its own two paths, the same on both
 * backends (key-derivation.ts): "native", this package's Rust N-API addon (RustCrypto's hkdf and sha2, SHA extensions
 * where the CPU has them; both HKDFs in one call of ~3 us), the default when scripts/bootstrap.sh has built it; and
 * "js" (NYM_SPHINX_KDF=js, or when the addon is missing): node:crypto's hkdfSync (~8 us) plus our unrolled SHA-256
 * compression in JavaScript for the payload key (sha256-compress.ts, ~5 us). Both give the same bytes (tested).
 *
 * Why sodium-native rather than node:crypto for X25519: node:crypto can only multiply by a scalar held in a private
 * KeyObject. Importing one (the blinding factor at every hop, the sender's per-hop scalars) makes OpenSSL derive its
 * public key, a hidden base-point multiplication (~40 us here), and importing alpha as a public key costs another
 * ~13 us; a hop then costs three scalar multiplications instead of two. libsodium multiplies raw bytes directly
 * (crypto_scalarmult clamps internally, as OpenSSL does on import, and refuses small-order points, which OpenSSL
 * refuses as all-zero results: the same inputs fail, with SPHINX_ERROR_INVALID_POINT, on both), and the sender's
 * alpha = x*B is its fixed-base multiplication, half the cost of a variable-base one.
 *
 * Why Lioness with ChaCha20 + keyed BLAKE2b rather than a wide-block cipher from other node:crypto primitives: it is
 * what nym's nodes run, so only it keeps payloads interoperable, and it is cheap (libsodium: ~10 us to peel a 2 KiB
 * layer; node path: OpenSSL ChaCha20 and @noble/hashes' BLAKE2b, as node:crypto has no keyed BLAKE2b).
 *
 * Cost model (see bench/): a hop runs two X25519 multiplications (shared secret, blinding) plus HKDF, one HMAC, 360
 * bytes of AES-CTR and one Lioness layer, ~1.1 x that crypto floor in all (the node path adds the two imports);
 * 259 and 260 add the payload key's HKDF: ~1 us per created hop on the native path, where a processing node derives it
 * with every hop's secret (so 258 hops pay it too), and ~5 us per hop on the JS path (README, "Performance"). A
 * sender runs one fixed-base multiplication for alpha and one variable-base multiplication per hop instead of nym's
 * i+1 for hop i: it multiplies the blinding scalars mod l and feeds X25519 a clamped scalar congruent to
 * +-(x * b_0 * ... * b_{i-1}) (scalar.ts), falling back to the chain in the ~2^-124 case with no such scalar.
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
  DEFAULT_SPHINX_VERSION,
  DEFAULT_SURB_VERSION,
  HEADER_LENGTH,
  IDENTIFIER_LENGTH,
  isSphinxVersion,
  MAX_PATH_LENGTH,
  NODE_ADDRESS_LENGTH,
  PAYLOAD_OVERHEAD,
  PayloadSize,
  PUBLIC_KEY_LENGTH,
  REPLAY_TAG_LENGTH,
  SPHINX_VERSIONS,
  type SphinxVersion,
} from "./constants.js";
export { isSphinxError, SphinxError, type SphinxErrorCode } from "./errors.js";
export {
  availableSphinxKeyDerivations,
  getSphinxKeyDerivation,
  type KeyDerivationName,
  setSphinxKeyDerivation,
} from "./key-derivation.js";
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
export {
  createSurb,
  openSurbReply,
  SURB_LENGTH,
  type Surb,
  type SurbKeys,
  type SurbOptions,
  surbLength,
  useSurb,
} from "./surb.js";
