/**
 * What the mixnet needs from a Sphinx implementation, as a small interface: the daemons and the client are written
 * against it, `sphinx-adapter.ts` implements it on @nym-ts/sphinx, and unit tests may hand in a fake.
 */
export interface SphinxHop {
  /** The node's 32-byte Sphinx address: its Ed25519 identity key. */
  address: Uint8Array;
  /** The node's X25519 Sphinx public key. */
  publicKey: Uint8Array;
}

export type ProcessedPacket =
  | { kind: "forward"; nextHop: Uint8Array; delayMs: number; packet: Uint8Array; replayTag: Uint8Array }
  | {
      kind: "final";
      destination: Uint8Array;
      identifier: Uint8Array;
      /** Every hop layer removed; still framed (forward packets) or still under the replier's layer (SURB replies). */
      payload: Uint8Array;
      replayTag: Uint8Array;
    };

export interface RouteArgs {
  route: SphinxHop[];
  /** Delay each hop applies before forwarding, ms; one per hop (the last is ignored by nodes). */
  delaysMs: number[];
  destination: Uint8Array;
  /** 16 bytes the final hop hands over with the payload (SURB id, loop id, or random). */
  identifier: Uint8Array;
}

export interface CreatePacketArgs extends RouteArgs {
  message: Uint8Array;
  /** Payload size class in bytes (message capacity plus the Sphinx payload overhead). */
  payloadSize: number;
}

export interface SphinxCodec {
  /** Bytes a packet has beyond its payload (the header). */
  readonly headerLength: number;
  /** Bytes of a payload that are not message (framing). */
  readonly payloadOverhead: number;
  /** Bytes of a serialized SURB. */
  readonly surbLength: number;
  createPacket(args: CreatePacketArgs): Uint8Array;
  /** A single-use reply block to `destination`; the creator keeps `recoveryKeys` to open the reply. */
  createSurb(args: RouteArgs): { surb: Uint8Array; recoveryKeys: Uint8Array };
  /** Builds the reply packet from a SURB; `firstHop` is the address of the SURB's first node. */
  packetFromSurb(
    surb: Uint8Array,
    message: Uint8Array,
    payloadSize: number,
  ): { firstHop: Uint8Array; packet: Uint8Array };
  /** The message of a forward packet's final payload. */
  decodePayload(payload: Uint8Array): Uint8Array;
  /** The message of a SURB reply's final payload. */
  openSurbReply(recoveryKeys: Uint8Array, payload: Uint8Array): Uint8Array;
  /** Prepares a node's X25519 secret for repeated processing. */
  nodeKey(secret: Uint8Array): SphinxNodeKey;
  /**
   * Removes one layer; throws a typed error for anything malformed or not addressed to this key, and for a replay
   * (when `isReplay` returns true for the packet's replay tag, which is computed before the MAC check).
   */
  processPacket(key: SphinxNodeKey, packet: Uint8Array, isReplay?: (tag: Uint8Array) => boolean): ProcessedPacket;
}

/** Opaque, prepared node key. */
export interface SphinxNodeKey {
  readonly publicKey: Uint8Array;
}
