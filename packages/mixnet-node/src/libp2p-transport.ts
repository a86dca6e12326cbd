import { generateKeyPairFromSeed, publicKeyFromRaw } from "@libp2p/crypto/keys";
import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import { noise } from "@libp2p/noise";
import { peerIdFromPublicKey } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { multiaddr } from "@multiformats/multiaddr";
import type { FrameHandler, MixTransport, PeerAddress, TransportStats } from "@nym-ts/mixnet";
import { FrameDecoder, MixnetError } from "@nym-ts/mixnet";
import { createLibp2p } from "libp2p";
import type { Uint8ArrayList } from "uint8arraylist";
import { ed25519PublicFromSeed } from "./identity.js";
import { nodeNoiseCrypto } from "./noise-crypto.js";

/** The libp2p protocol of the mix link: one long-lived stream per neighbour, 4-byte big-endian length prefixes. */
export const MIX_PROTOCOL = "/nym-ts/mix/1.0.0";

export interface Libp2pTransportOptions {
  /** 32-byte Ed25519 seed of the node's identity key; the libp2p peer id derives from it. */
  identitySeed: Uint8Array;
  /** Multiaddrs to listen on, e.g. `/ip4/127.0.0.1/tcp/0`; empty for a client that only dials. */
  listen: string[];
  /** Frames that may wait for one neighbour before new ones are dropped (nym uses 2000). */
  maxQueuedFrames?: number;
  /** Largest frame accepted; a longer length prefix tears the stream down as malformed. */
  maxFrameBytes?: number;
  /** First wait after a failed dial; doubles per failure up to `maxDialBackoffMs`. */
  dialBackoffMs?: number;
  maxDialBackoffMs?: number;
  /** Bytes coalesced into one `stream.send` (fewer yamux frames, fewer syscalls). */
  coalesceBytes?: number;
  /** Noise's crypto: ours (node:crypto, session keys imported once; the default) or @libp2p/noise's own. */
  noiseCrypto?: "node" | "libp2p-default";
  /**
   * Inbound connections accepted per remote host and second (libp2p's `inboundConnectionThreshold`, whose default
   * of 5 turned away the sixth of many clients behind one address, or on one loopback, starting together).
   */
  maxInboundConnectionsPerHostPerSecond?: number;
  /** Inbound connections in their handshake at once (libp2p's `maxIncomingPendingConnections`, default there 10). */
  maxPendingInboundConnections?: number;
}

/** Why frames were dropped; the sum is `framesDropped`. */
export interface FrameDropCounts {
  /** The neighbour's queue was at `maxQueuedFrames` (refused by `send`). */
  queueFull: number;
  /** No link and no address to dial, or the neighbour's dial is backing off after a failure (refused by `send`). */
  unreachable: number;
  /** Accepted while the link was being dialled, then the dial failed: dropped with the rest of the queue. */
  dialFailed: number;
  /** To or queued for a peer refused for misbehaving (`refuse`). */
  refused: number;
  /** Sent, or queued, after `stop`. */
  stopped: number;
}

/** `TransportStats` with the drops split by cause. */
export interface Libp2pTransportStats extends TransportStats {
  dropped: FrameDropCounts;
}

export interface Libp2pTransport extends MixTransport {
  /** The libp2p peer id (from the identity key); valid from construction, like `localId`. */
  readonly peerIdString: string;
  stats(): Libp2pTransportStats;
}

const hex = (id: Uint8Array): string => Buffer.from(id).toString("hex");

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Default bytes per coalesced write: the most one Noise message carries (65,535 minus the 16-byte tag) less Yamux's
 * 12-byte frame header, so a full write is one Yamux frame in one Noise message (64 KiB would spill 29 bytes into a
 * second message, with its own AEAD pass and length prefix).
 */
export const COALESCE_BYTES = 65_535 - 16 - 12;

class Link {
  queue: Uint8Array[] = [];
  head = 0;
  stream: Stream | undefined;
  dialing = false;
  waitingDrain = false;
  flushScheduled = false;
  retryAt = 0;
  backoffMs = 0;
  address: string | undefined;
  /** Set by `refuse`: until `refusedUntil`, nothing from this peer is handed on and nothing is sent to it. */
  refused = false;
  refusedUntil = 0;
  /** Whether the peer is refused now (the flag is cleared once the time has passed, so the common case is one test). */
  isRefused(): boolean {
    if (!this.refused) return false;
    if (Date.now() < this.refusedUntil) return true;
    this.refused = false;
    return false;
  }
  constructor(
    readonly id: Uint8Array,
    readonly key: string,
  ) {}
  get length(): number {
    return this.queue.length - this.head;
  }
  clear(): number {
    const dropped = this.length;
    this.queue = [];
    this.head = 0;
    return dropped;
  }
}

/**
 * js-libp2p 3 transport: TCP + Noise + Yamux. A neighbour's identity is authenticated by the Noise handshake, so the
 * `from` of every frame is the sender's real key. Each neighbour gets one stream, opened by whichever side sends
 * first and used in both directions; frames are length-prefixed inside it and coalesced into large writes.
 */
export function createLibp2pTransport(options: Libp2pTransportOptions): Libp2pTransport {
  if (options.identitySeed.length !== 32) throw new RangeError("identitySeed must be 32 bytes");
  const maxQueued = options.maxQueuedFrames ?? 2000;
  const maxFrame = options.maxFrameBytes ?? 64 * 1024;
  const baseBackoff = options.dialBackoffMs ?? 250;
  const maxBackoff = options.maxDialBackoffMs ?? 5000;
  const coalesce = options.coalesceBytes ?? COALESCE_BYTES;
  const inboundPerHost = options.maxInboundConnectionsPerHostPerSecond ?? 100;
  const pendingInbound = options.maxPendingInboundConnections ?? 256;

  // Ed25519 public key from the seed, synchronously, through node:crypto (libp2p's derivation is async).
  const localId = ed25519PublicFromSeed(options.identitySeed);
  const peerIdString = peerIdFromPublicKey(publicKeyFromRaw(localId) as never).toString();

  let node: Libp2p | undefined;
  const links = new Map<string, Link>();
  const frameHandlers: FrameHandler[] = [];
  const connectedHandlers: ((peer: Uint8Array) => void)[] = [];
  const disconnectedHandlers: ((peer: Uint8Array) => void)[] = [];
  const stats = {
    framesSent: 0,
    framesReceived: 0,
    framesDropped: 0,
    badFrames: 0,
    writes: 0,
    chunksReceived: 0,
    handlerErrors: 0,
    refusedChunks: 0,
  };
  const dropped: FrameDropCounts = { queueFull: 0, unreachable: 0, dialFailed: 0, refused: 0, stopped: 0 };
  const drop = (cause: keyof FrameDropCounts, frames = 1): void => {
    dropped[cause] += frames;
    stats.framesDropped += frames;
  };
  let stopping = false;

  // Senders pass the same key array for a neighbour packet after packet (the topology's), so the link is found by
  // that array first, without hexing it; the entry is checked against the key's bytes and the live link table.
  const byKeyArray = new WeakMap<Uint8Array, Link>();
  const linkFor = (id: Uint8Array): Link => {
    const known = byKeyArray.get(id);
    if (known !== undefined && links.get(known.key) === known && sameBytes(known.id, id)) return known;
    const key = hex(id);
    let link = links.get(key);
    if (!link) {
      link = new Link(new Uint8Array(id), key);
      links.set(key, link);
    }
    byKeyArray.set(id, link);
    return link;
  };

  /** Peer (dis)connection handlers run from stream events too: what one throws is counted, never rethrown. */
  const notify = (handlers: ((peer: Uint8Array) => void)[], peer: Uint8Array): void => {
    for (const handler of handlers) {
      try {
        handler(peer);
      } catch {
        stats.handlerErrors++;
      }
    }
  };

  const remoteId = (connection: Connection): Uint8Array | undefined => {
    const key = connection.remotePeer.publicKey;
    if (key?.type !== "Ed25519") return undefined;
    return key.raw;
  };

  const attach = (link: Link, stream: Stream): void => {
    const previous = link.stream;
    link.stream = stream;
    link.waitingDrain = false;
    link.backoffMs = 0;
    link.retryAt = 0;
    const decoder = new FrameDecoder(maxFrame, (frame) => {
      // A handler may refuse the peer in the middle of a chunk: the rest of the chunk is not handed on.
      if (link.isRefused()) return;
      stats.framesReceived++;
      // A handler runs inside a stream event listener, where a throw would be an uncaught exception: one bad frame
      // (or a bug on one frame's path) is counted and skipped instead of ending the process.
      for (const handler of frameHandlers) {
        try {
          handler(frame, link.id);
        } catch {
          stats.handlerErrors++;
        }
      }
    });
    let refusedLink = false;
    const onChunk = (chunk: Uint8Array): boolean => {
      if (refusedLink) return false;
      if (link.isRefused()) {
        stats.refusedChunks++;
        return false;
      }
      stats.chunksReceived++;
      const refused = decoder.push(chunk);
      if (refused === undefined) return true;
      refusedLink = true;
      stats.badFrames++;
      stream.abort(new MixnetError("MIXNET_ERROR_BAD_FRAME", `frame of ${refused} bytes refused`));
      return false;
    };
    stream.addEventListener("message", (event) => {
      // libp2p may hand over several chunks at once as a list: each is decoded in place, not concatenated first.
      const data = event.data as Uint8Array | Uint8ArrayList;
      if (data instanceof Uint8Array) onChunk(data);
      else for (const part of data) if (!onChunk(part)) return;
    });
    stream.addEventListener("close", () => {
      if (link.stream === stream) {
        link.stream = undefined;
        link.waitingDrain = false;
        notify(disconnectedHandlers, link.id);
        // Not at once: a peer that resets every stream it accepts is not dialled in a tight loop.
        if (link.length > 0 && !stopping) setTimeout(() => redial(link), baseBackoff).unref();
      }
    });
    if (!previous) notify(connectedHandlers, link.id);
    scheduleFlush(link);
  };

  const scheduleFlush = (link: Link): void => {
    if (link.flushScheduled || link.waitingDrain || !link.stream) return;
    link.flushScheduled = true;
    setImmediate(() => {
      link.flushScheduled = false;
      flush(link);
    });
  };

  const flush = (link: Link): void => {
    const stream = link.stream;
    while (stream && stream.status === "open" && !link.waitingDrain && link.length > 0) {
      // Coalesce queued frames into one write.
      let bytes = 0;
      let end = link.head;
      while (end < link.queue.length) {
        const next = 4 + (link.queue[end] as Uint8Array).length;
        if (end > link.head && bytes + next > coalesce) break;
        bytes += next;
        end++;
      }
      const out = Buffer.allocUnsafe(bytes);
      let offset = 0;
      for (let i = link.head; i < end; i++) {
        const frame = link.queue[i] as Uint8Array;
        out.writeUInt32BE(frame.length, offset);
        out.set(frame, offset + 4);
        offset += 4 + frame.length;
      }
      let accepted: boolean;
      try {
        accepted = stream.send(out);
      } catch (error) {
        // The stream cannot take writes any more (closed or reset under us, its close event not yet seen): the
        // frames stay queued, the stream is torn down (its close handler unlinks it and, when the peer has an
        // address, dials a new one for them); otherwise they wait for the peer to come back.
        stream.abort(error instanceof Error ? error : new Error(String(error)));
        if (link.stream === stream) link.stream = undefined;
        return;
      }
      stats.writes++;
      stats.framesSent += end - link.head;
      link.head = end;
      if (link.head === link.queue.length) {
        link.queue = [];
        link.head = 0;
      } else if (link.head > 4096) {
        link.queue = link.queue.slice(link.head);
        link.head = 0;
      }
      if (!accepted) {
        link.waitingDrain = true;
        stream.onDrain().then(
          () => {
            link.waitingDrain = false;
            flush(link);
          },
          () => {
            link.waitingDrain = false;
          },
        );
      }
    }
  };

  const dial = (link: Link): void => {
    if (!node || link.dialing || stopping || link.address === undefined) return;
    link.dialing = true;
    const target = multiaddr(`${link.address}/p2p/${peerIdFromPublicKey(publicKeyFromRaw(link.id) as never)}`);
    node.dialProtocol(target, MIX_PROTOCOL, { signal: AbortSignal.timeout(5000) }).then(
      (stream) => {
        link.dialing = false;
        if (stopping) {
          stream.abort(new Error("transport stopping"));
          return;
        }
        attach(link, stream);
      },
      () => {
        link.dialing = false;
        link.backoffMs = Math.min(maxBackoff, link.backoffMs === 0 ? baseBackoff : link.backoffMs * 2);
        link.retryAt = Date.now() + link.backoffMs;
        drop(stopping ? "stopped" : "dialFailed", link.clear());
      },
    );
  };

  /** A link whose stream ended with frames still queued dials again for them (now, or when its backoff ends). */
  const redial = (link: Link): void => {
    if (link.length === 0 || link.stream || link.address === undefined || stopping || link.isRefused()) return;
    if (links.get(link.key) !== link) return;
    const wait = link.retryAt - Date.now();
    if (wait <= 0) {
      dial(link);
      return;
    }
    setTimeout(() => redial(link), wait).unref();
  };

  return {
    localId,
    peerIdString,
    async start() {
      const privateKey = await generateKeyPairFromSeed("Ed25519", options.identitySeed);
      node = await createLibp2p({
        privateKey,
        addresses: { listen: options.listen },
        transports: [tcp()],
        connectionEncrypters: [noise(options.noiseCrypto === "libp2p-default" ? {} : { crypto: nodeNoiseCrypto })],
        streamMuxers: [yamux()],
        connectionManager: {
          maxConnections: 1024,
          inboundConnectionThreshold: inboundPerHost,
          maxIncomingPendingConnections: pendingInbound,
        },
        connectionGater: {
          // A refused peer is turned away right after the handshake, before any of its streams is read.
          denyInboundEncryptedConnection: (peerId) => {
            const raw = peerId.publicKey?.raw;
            const link = raw ? links.get(hex(raw)) : undefined;
            if (link?.isRefused() !== true) return false;
            stats.refusedChunks++;
            return true;
          },
        },
      });
      await node.handle(
        MIX_PROTOCOL,
        (stream, connection) => {
          const id = remoteId(connection);
          if (!id) {
            stream.abort(new MixnetError("MIXNET_ERROR_BAD_PEER", "only Ed25519 peers may open a mix link"));
            return;
          }
          const link = linkFor(id);
          if (link.isRefused()) {
            stats.refusedChunks++;
            stream.abort(new MixnetError("MIXNET_ERROR_BAD_PEER", "this peer is refused for a while"));
            return;
          }
          attach(link, stream);
        },
        { maxInboundStreams: 4, maxOutboundStreams: 4 },
      );
      await node.start();
    },
    async stop() {
      stopping = true;
      for (const link of links.values()) {
        drop("stopped", link.clear());
        link.stream?.abort(new Error("transport stopping"));
      }
      links.clear();
      await node?.stop();
      node = undefined;
    },
    listenAddresses() {
      return node ? node.getMultiaddrs().map((ma) => ma.toString().replace(/\/p2p\/[^/]+$/, "")) : [];
    },
    send(peer: PeerAddress, frame: Uint8Array): boolean {
      if (frame.length === 0 || frame.length > maxFrame) throw new RangeError(`frame length ${frame.length}`);
      const link = linkFor(peer.id);
      if (peer.address !== undefined) link.address = peer.address;
      if (stopping) {
        drop("stopped");
        return false;
      }
      if (link.isRefused()) {
        drop("refused");
        return false;
      }
      if (!link.stream && (link.address === undefined || Date.now() < link.retryAt)) {
        drop("unreachable");
        return false;
      }
      if (link.length >= maxQueued) {
        drop("queueFull");
        return false;
      }
      link.queue.push(frame);
      if (link.stream) scheduleFlush(link);
      else dial(link);
      return true;
    },
    onFrame(handler) {
      frameHandlers.push(handler);
    },
    refuse(peer, forMs) {
      const link = linkFor(peer);
      link.refused = true;
      link.refusedUntil = Math.max(link.refusedUntil, Date.now() + forMs);
      drop("refused", link.clear());
      link.stream?.abort(new MixnetError("MIXNET_ERROR_BAD_PEER", "peer refused: too many bad frames"));
      // Abort the TCP connection too (no graceful close): what the peer already wrote is then not read and decrypted
      // for nothing, which under a flood is most of the cost. The connection gater refuses it until the ban ends.
      if (node) {
        const reason = new MixnetError("MIXNET_ERROR_BAD_PEER", "peer refused: too many bad frames");
        for (const connection of node.getConnections(peerIdFromPublicKey(publicKeyFromRaw(link.id) as never))) {
          connection.abort(reason);
        }
      }
    },
    onPeerConnected(handler) {
      connectedHandlers.push(handler);
    },
    onPeerDisconnected(handler) {
      disconnectedHandlers.push(handler);
    },
    isConnected(peer) {
      return links.get(hex(peer))?.stream !== undefined;
    },
    queuedFrames(peer) {
      return links.get(hex(peer))?.length ?? 0;
    },
    stats(): Libp2pTransportStats {
      let open = 0;
      for (const link of links.values()) if (link.stream) open++;
      return { ...stats, linksOpen: open, dropped: { ...dropped } };
    },
  };
}
