/**
 * The transport interface the mix daemons and the client use: frames to and from neighbours identified by their
 * 32-byte Ed25519 identity key. One implementation runs on js-libp2p (`libp2p-transport.ts`); tests may hand in
 * another. Nothing outside the implementation sees libp2p types.
 */

/** A neighbour: its identity key (also its libp2p peer id) and, when it listens, a multiaddr without `/p2p/`. */
export interface PeerAddress {
  id: Uint8Array;
  /** e.g. `/ip4/127.0.0.1/tcp/1789`; absent for peers that only dial us (clients). */
  address?: string | undefined;
}

export type FrameHandler = (frame: Uint8Array, from: Uint8Array) => void;

export interface TransportStats {
  framesSent: number;
  framesReceived: number;
  /** Frames refused because the neighbour's queue was full (back-pressure) or the neighbour was unreachable. */
  framesDropped: number;
  /** Inbound streams torn down because they carried an oversized or malformed frame. */
  badFrames: number;
  /** Writes handed to the links' streams (each carries one or more coalesced frames). */
  writes: number;
  /** Chunks read from the links' streams (each carries frames or parts of them). */
  chunksReceived: number;
  /** Frames whose handler threw: caught and counted, the link and the process run on. */
  handlerErrors?: number;
  /** Chunks and streams from refused peers, ignored or closed while they are refused. */
  refusedChunks?: number;
  linksOpen: number;
}

export interface MixTransport {
  /** This node's 32-byte Ed25519 identity public key. */
  readonly localId: Uint8Array;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The multiaddrs this node listens on (without `/p2p/`), known after `start`. */
  listenAddresses(): string[];
  /**
   * Queues one frame for `peer`. Returns false, and counts a drop, when the peer's bounded queue is full or it cannot
   * be reached: callers never wait, and never grow memory without bound.
   */
  send(peer: PeerAddress, frame: Uint8Array): boolean;
  /** Called for every frame received from any neighbour, with the sender's authenticated identity key. */
  onFrame(handler: FrameHandler): void;
  /** Called when a neighbour's link opens (the identity is authenticated by the Noise handshake). */
  onPeerConnected(handler: (peer: Uint8Array) => void): void;
  /** Called when a neighbour's link closes. */
  onPeerDisconnected(handler: (peer: Uint8Array) => void): void;
  /** Whether a link to this peer is currently open. */
  isConnected(peer: Uint8Array): boolean;
  /** Frames queued for a peer and not yet handed to its stream. */
  queuedFrames(peer: Uint8Array): number;
  /**
   * Cuts the link to `peer` and refuses it for `forMs`: its streams are closed, new ones refused, frames already
   * received from it are not handed on, and frames for it are dropped. For a neighbour that misbehaves.
   */
  refuse?(peer: Uint8Array, forMs: number): void;
  stats(): TransportStats;
}
