import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  decodePayload,
  HEADER_LENGTH,
  openSurbReply,
  PAYLOAD_OVERHEAD,
  type SphinxNode,
  SURB_LENGTH,
  useSurb,
} from "@nym-ts/sphinx";
import type { SphinxCodec, SphinxNodeKey } from "./sphinx-codec.js";

interface AdapterKey extends SphinxNodeKey {
  node: SphinxNode;
}

/** The mixnet's Sphinx codec on @nym-ts/sphinx (nym sphinx-packet v258 layout). */
export const nymSphinx: SphinxCodec = {
  headerLength: HEADER_LENGTH,
  payloadOverhead: PAYLOAD_OVERHEAD,
  surbLength: SURB_LENGTH,
  createPacket(args) {
    return createForwardPacket({
      route: args.route,
      delays: args.delaysMs,
      destination: { address: args.destination, identifier: args.identifier },
      message: args.message,
      payloadSize: args.payloadSize,
    }).packet;
  },
  createSurb(args) {
    return createSurb({
      route: args.route,
      delays: args.delaysMs,
      destination: { address: args.destination, identifier: args.identifier },
    });
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
