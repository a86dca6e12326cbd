import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  DEFAULT_SPHINX_VERSION,
  decodePayload,
  HEADER_LENGTH,
  isSphinxVersion,
  openSurbReply,
  PAYLOAD_OVERHEAD,
  SPHINX_VERSIONS,
  SphinxError,
  type SphinxNode,
  type SphinxVersion,
  surbLength,
  useSurb,
} from "@nym-ts/sphinx";
import type { SphinxCodec, SphinxNodeKey } from "./sphinx-codec.js";

export { DEFAULT_SPHINX_VERSION, SPHINX_VERSIONS, type SphinxVersion };

interface AdapterKey extends SphinxNodeKey {
  node: SphinxNode;
}

export interface NymSphinxOptions {
  /**
   * Format of the packets this codec creates: 258, 259 (default: what nym's current release sends) or 260. Packets
   * of all three are processed whatever this says (the version is in each hop's routing block).
   */
  version?: SphinxVersion;
}

export interface NymSphinxCodec extends SphinxCodec {
  /** The version of the packets it creates. */
  readonly version: SphinxVersion;
  /** The version of the SURBs it creates: 258 with 258 (our 572-byte SURB), 260 otherwise (nym's 396-byte one). */
  readonly surbVersion: SphinxVersion;
}

/**
 * The mixnet's Sphinx codec on @nym-ts/sphinx. Its SURBs always hand the replier only the last hop's key material,
 * so a replier cannot follow its reply through the mixes: with version 258 our own 572-byte SURB (version 258),
 * with 259 or 260 nym's single-seed SURB of 396 bytes (version 260, processed by nym's nodes like 259). Clients
 * exchange SURBs of one fixed length (`surbLength`), so the clients of one deployment use 258 or not, together.
 * `packetFromSurb` reads every SURB layout (ours and nym's, every version).
 */
export function createNymSphinx(options: NymSphinxOptions = {}): NymSphinxCodec {
  const version = options.version === undefined ? DEFAULT_SPHINX_VERSION : options.version;
  if (!isSphinxVersion(version)) {
    throw new SphinxError(
      "SPHINX_ERROR_INVALID_ARGUMENT",
      `Sphinx version must be one of ${SPHINX_VERSIONS.join(", ")}`,
    );
  }
  const surbVersion: SphinxVersion = version === 258 ? 258 : 260;
  return {
    version,
    surbVersion,
    headerLength: HEADER_LENGTH,
    payloadOverhead: PAYLOAD_OVERHEAD,
    // "last-hop" SURBs have one key or seed whatever the route length
    surbLength: surbLength(surbVersion, 1, "last-hop"),
    createPacket(args) {
      return createForwardPacket({
        route: args.route,
        delays: args.delaysMs,
        destination: { address: args.destination, identifier: args.identifier },
        message: args.message,
        payloadSize: args.payloadSize,
        version,
      }).packet;
    },
    createSurb(args) {
      const { surb, recoveryKeys } = createSurb({
        route: args.route,
        delays: args.delaysMs,
        destination: { address: args.destination, identifier: args.identifier },
        version: surbVersion,
        keys: "last-hop",
      });
      return { surb, recoveryKeys };
    },
    packetFromSurb(surb, message, payloadSize) {
      return useSurb(surb, message, payloadSize);
    },
    decodePayload,
    openSurbReply,
    nodeKey(secret) {
      const node = createSphinxNode(secret);
      const key: AdapterKey = { publicKey: node.publicKey, node };
      return key;
    },
    processPacket(key, packet, isReplay) {
      const out = (key as AdapterKey).node.process(packet, isReplay ? { isReplay } : undefined);
      if (out.kind === "forward") {
        return {
          kind: "forward",
          nextHop: out.nextAddress,
          delayMs: out.delay,
          packet: out.packet,
          replayTag: out.replayTag,
        };
      }
      return {
        kind: "final",
        destination: out.destination,
        identifier: out.identifier,
        payload: out.payload,
        replayTag: out.replayTag,
      };
    },
  };
}

/** The codec with the default version (259 packets, 260 SURBs). */
export const nymSphinx: NymSphinxCodec = createNymSphinx();
