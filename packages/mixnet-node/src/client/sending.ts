import { randomBytes } from "node:crypto";
import type { Logger } from "@nym-ts/common";
import {
  type ClientAddress,
  chooseRoute,
  E2E_OVERHEAD,
  encodeAddress,
  encodeClientForward,
  type Hop,
  idHex,
  type LoopStats,
  MixnetError,
  parseAddress,
  type Random,
  RetransmitQueue,
  type SphinxCodec,
  sampleExponential,
  sealTo,
  splitMessage,
} from "@nym-ts/mixnet";
import type { ClientStats, SendOptions, TrafficOptions } from "./client-types.js";
import type { GatewayLink } from "./gateway-link.js";
import { DATA_HEADER, encodeAck, FLAG_ADDRESS, FLAG_SURBS, Kind, MESSAGE_VERSION, putU16 } from "./message-format.js";

/**
 * The client's sending side: route choice (three mix layers to a gateway, avoiding nodes whose loops go missing),
 * the outgoing queue that the Poisson real-or-drop stream empties, and reliable messages: split into fragments, each
 * sealed end to end and carrying a fresh ack SURB, sent again on a fresh route until acknowledged.
 */

/** Ack wait for the first send: the factor x the expected round trip plus the fixed extra (nym: 1.5x + 1.5 s). */
export function baseAckTimeoutMs(traffic: TrafficOptions): number {
  // Forward route (3 mixes + gateway) and the ack's route back: 8 hops, 6 of which delay (mixes).
  const expectedRoundTripMs = 6 * traffic.meanDelayMs + 200;
  return traffic.ackTimeoutFactor * expectedRoundTripMs + traffic.ackTimeoutExtraMs;
}

/** Route choice and Sphinx packet building over the current topology. */
export class RoutePlanner {
  constructor(
    private readonly deps: {
      link: GatewayLink;
      sphinx: SphinxCodec;
      random: Random;
      traffic: TrafficOptions;
      loopStats: LoopStats;
      /** This client's address: SURBs lead back to it. */
      self: ClientAddress;
    },
  ) {}

  /** Bytes of message one Sphinx payload carries. */
  get messageCapacity(): number {
    return this.deps.traffic.payloadSize - this.deps.sphinx.payloadOverhead;
  }

  /** Bytes of message one payload carries once sealed to its recipient. */
  get sealedCapacity(): number {
    return this.messageCapacity - E2E_OVERHEAD;
  }

  /** Nodes to route around: those whose loop and ack round trips go missing. */
  suspects(): Set<string> {
    return this.deps.loopStats.suspects();
  }

  /** A route through the three mix layers ending at `gateway`; throws when the topology has no complete route. */
  route(gateway: Uint8Array, avoid?: Set<string>): Hop[] {
    return chooseRoute(this.deps.link.index, gateway, { random: this.deps.random, ...(avoid ? { avoid } : {}) });
  }

  /** A reply block leading back to this client over a fresh route. */
  surbToSelf(identifier: Uint8Array, avoid: Set<string>): { surb: Uint8Array; recoveryKeys: Uint8Array; route: Hop[] } {
    const route = this.route(this.deps.self.gateway, avoid);
    const { surb, recoveryKeys } = this.deps.sphinx.createSurb({
      route: sphinxRoute(route),
      delaysMs: this.delays(route.length),
      destination: this.deps.self.identityKey,
      identifier,
    });
    return { surb, recoveryKeys, route };
  }

  /** A client-forward frame carrying one Sphinx packet along `route`. */
  forwardFrame(route: Hop[], destination: Uint8Array, identifier: Uint8Array, message: Uint8Array): Uint8Array {
    const packet = this.deps.sphinx.createPacket({
      route: sphinxRoute(route),
      delaysMs: this.delays(route.length),
      destination,
      identifier,
      message,
      payloadSize: this.deps.traffic.payloadSize,
    });
    return encodeClientForward(route[0]!.identityKey, packet);
  }

  /** A client-forward frame answering through a SURB someone gave us. */
  surbFrame(surb: Uint8Array, message: Uint8Array): Uint8Array {
    const { firstHop, packet } = this.deps.sphinx.packetFromSurb(surb, message, this.deps.traffic.payloadSize);
    return encodeClientForward(firstHop, packet);
  }

  private delays(n: number): number[] {
    return Array.from({ length: n }, () => sampleExponential(this.deps.traffic.meanDelayMs, this.deps.random));
  }
}

function sphinxRoute(route: Hop[]): { address: Uint8Array; publicKey: Uint8Array }[] {
  return route.map((h) => ({ address: h.identityKey, publicKey: h.sphinxKey }));
}

export interface OutPacket {
  frame: Uint8Array;
  /** Retransmission key of a data fragment, to arm its ack timer when it leaves. */
  ackKey?: string;
}

/**
 * Real packets waiting for a real-or-drop slot. With lambdaP = 0 (no rate limit) they leave at once once started.
 */
export class OutQueue {
  private readonly packets: OutPacket[] = [];
  /** Set by the client: before start, packets wait even without a rate limit. */
  started = false;

  constructor(
    private readonly deps: {
      link: GatewayLink;
      traffic: TrafficOptions;
      stats: ClientStats;
      /** A data fragment left: its ack timer starts now. */
      onSent: (ackKey: string) => void;
    },
  ) {}

  get length(): number {
    return this.packets.length;
  }

  push(packet: OutPacket): void {
    this.packets.push(packet);
    this.deps.stats.queued = this.packets.length;
    this.flushIfUnlimited();
  }

  /** Ahead of everything queued (retransmissions: they are late already). */
  pushFront(packet: OutPacket): void {
    this.packets.unshift(packet);
    this.deps.stats.queued = this.packets.length;
    this.flushIfUnlimited();
  }

  /** Sends the next queued packet; false when the queue is empty. */
  sendNext(): boolean {
    const next = this.packets.shift();
    if (!next) return false;
    this.sendOut(next);
    return true;
  }

  /** Waits (up to `timeoutMs`) until the queue is empty; true when it is. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.packets.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.packets.length === 0;
  }

  private flushIfUnlimited(): void {
    if (this.deps.traffic.lambdaP > 0 || !this.started) return;
    while (this.packets.length > 0) this.sendOut(this.packets.shift() as OutPacket);
  }

  private sendOut(packet: OutPacket): void {
    this.deps.link.send(packet.frame);
    this.deps.stats.realSent++;
    if (packet.ackKey) this.deps.onSent(packet.ackKey);
    this.deps.stats.queued = this.packets.length;
  }
}

interface PendingFragment {
  recipient: ClientAddress;
  messageId: Uint8Array;
  index: number;
  total: number;
  body: Uint8Array;
  /** Identifiers (hex) of every ack SURB sent for this fragment: a late ack of an earlier send counts too. */
  ackIds: string[];
}

interface PendingMessage {
  remaining: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface AckSurb {
  key: string;
  recoveryKeys: Uint8Array;
  expect: Uint8Array;
  fragment: PendingFragment;
}

/** Reliable messages: fragments, ack SURBs, retransmission on a fresh route, and the promise of each send. */
export class Sender {
  readonly queue: OutQueue;
  private readonly retransmit: RetransmitQueue<PendingFragment>;
  private readonly pendingMessages = new Map<string, PendingMessage>();
  /** Ack SURB identifier (hex) -> fragment key, keys to open the ack, and the ack expected. */
  private readonly ackSurbs = new Map<string, AckSurb>();

  constructor(
    private readonly deps: {
      planner: RoutePlanner;
      link: GatewayLink;
      self: ClientAddress;
      traffic: TrafficOptions;
      sphinx: SphinxCodec;
      stats: ClientStats;
      loopStats: LoopStats;
      log: Logger;
      /** A reply SURB we attached: the receiving side opens what comes back through it. */
      onReplySurb: (identifier: Uint8Array, messageId: string, recoveryKeys: Uint8Array) => void;
      /** What a retransmission timeout threw (caught and counted, never rethrown from the timer). */
      onError: (error: unknown) => void;
    },
  ) {
    const base = baseAckTimeoutMs(deps.traffic);
    this.retransmit = new RetransmitQueue<PendingFragment>({
      // Doubling per attempt (capped at 8x): a congested path gets room instead of a retransmission storm.
      ackTimeoutMs: (attempt) => base * 2 ** Math.min(attempt - 1, 3),
      maxAttempts: deps.traffic.maxAttempts,
      retransmit: (key, fragment) => this.resend(key, fragment),
      giveUp: (key, fragment) => this.failMessage(key, fragment),
      onError: (error) => deps.onError(error),
    });
    this.queue = new OutQueue({
      link: deps.link,
      traffic: deps.traffic,
      stats: deps.stats,
      onSent: (key) => this.retransmit.sent(key),
    });
  }

  /** Most bytes of message per data fragment. */
  get fragmentCapacity(): number {
    return this.deps.planner.sealedCapacity - DATA_HEADER - this.deps.sphinx.surbLength;
  }

  /** See MixClient.send. */
  send(
    recipient: ClientAddress | string,
    data: Uint8Array,
    options: SendOptions = {},
    onQueued?: (messageId: string) => void,
  ): Promise<void> {
    let to: ClientAddress;
    let messageId: Uint8Array;
    let idText: string;
    const frames: OutPacket[] = [];
    const keys: string[] = [];
    let fragments: ReturnType<typeof splitMessage>;
    try {
      // Everything that can fail (bad address, unknown gateway, no route) fails here, before anything is queued.
      to = typeof recipient === "string" ? parseAddress(recipient) : recipient;
      messageId = new Uint8Array(randomBytes(16));
      idText = idHex(messageId);
      const body = this.encodeMessage(messageId, data, options);
      fragments = splitMessage(messageId, body, this.fragmentCapacity);
      for (const f of fragments) {
        const key = `${idText}:${f.index}`;
        const pending: PendingFragment = {
          recipient: to,
          messageId,
          index: f.index,
          total: f.total,
          body: f.data,
          ackIds: [],
        };
        frames.push({ frame: this.buildFragment(key, pending), ackKey: key });
        keys.push(key);
        this.retransmit.track(key, pending);
      }
    } catch (error) {
      for (const key of keys) this.retransmit.ack(key);
      return Promise.reject(error);
    }
    const done = new Promise<void>((resolve, reject) => {
      this.pendingMessages.set(idText, { remaining: fragments.length, resolve, reject });
    });
    for (const frame of frames) this.queue.push(frame);
    onQueued?.(idText);
    return done;
  }

  /**
   * A stored packet whose identifier may be one of our ack SURBs. False when it is not; true when it was an ack
   * (consumed); throws when it claims to be one but does not open to the ack we expect.
   */
  handleAck(identifier: string, payload: Uint8Array): boolean {
    const ack = this.ackSurbs.get(identifier);
    if (!ack) return false;
    const message = this.deps.sphinx.openSurbReply(ack.recoveryKeys, payload);
    if (!Buffer.from(message).equals(Buffer.from(ack.expect))) throw new Error("ack does not match");
    for (const ackId of ack.fragment.ackIds) this.ackSurbs.delete(ackId);
    this.deps.loopStats.recordReturned(identifier);
    if (this.retransmit.ack(ack.key)) this.fragmentAcked(ack.key);
    return true;
  }

  /** Stops retransmitting and rejects every message still waiting for acks. */
  stop(): void {
    this.retransmit.stop();
    for (const pending of this.pendingMessages.values()) {
      pending.reject(new MixnetError("MIXNET_ERROR_NO_ROUTE", "client stopped"));
    }
    this.pendingMessages.clear();
  }

  private encodeMessage(messageId: Uint8Array, data: Uint8Array, options: SendOptions): Uint8Array {
    const surbCount = options.replySurbs ?? 0;
    if (surbCount > 255) throw new RangeError("at most 255 reply SURBs");
    const parts: Uint8Array[] = [];
    let flags = 0;
    if (options.revealAddress) flags |= FLAG_ADDRESS;
    if (surbCount > 0) flags |= FLAG_SURBS;
    parts.push(Uint8Array.of(MESSAGE_VERSION, flags));
    if (options.revealAddress) parts.push(encodeAddress(this.deps.self));
    if (surbCount > 0) {
      parts.push(Uint8Array.of(surbCount));
      for (let i = 0; i < surbCount; i++) {
        const identifier = new Uint8Array(randomBytes(16));
        const { surb, recoveryKeys } = this.deps.planner.surbToSelf(identifier, this.deps.planner.suspects());
        this.deps.onReplySurb(identifier, idHex(messageId), recoveryKeys);
        parts.push(surb);
      }
    }
    parts.push(data);
    return Buffer.concat(parts);
  }

  /** A data fragment with a fresh route and a fresh ack SURB, sealed to the recipient. */
  private buildFragment(key: string, f: PendingFragment): Uint8Array {
    const planner = this.deps.planner;
    const gateway = this.deps.link.index.gateway(f.recipient.gateway);
    if (!gateway) throw new MixnetError("MIXNET_ERROR_NO_ROUTE", "recipient's gateway is not in the topology");
    const avoid = planner.suspects();
    const ackId = new Uint8Array(randomBytes(16));
    const { surb, recoveryKeys, route: ackRoute } = planner.surbToSelf(ackId, avoid);
    const ackText = idHex(ackId);
    f.ackIds.push(ackText);
    this.ackSurbs.set(ackText, { key, recoveryKeys, expect: encodeAck(f.messageId, f.index), fragment: f });

    const plain = new Uint8Array(DATA_HEADER + surb.length + f.body.length);
    plain[0] = Kind.DATA;
    plain.set(f.messageId, 1);
    putU16(plain, 17, f.index);
    putU16(plain, 19, f.total);
    putU16(plain, 21, surb.length);
    plain.set(surb, DATA_HEADER);
    plain.set(f.body, DATA_HEADER + surb.length);
    const route = planner.route(f.recipient.gateway, avoid);
    const frame = planner.forwardFrame(
      route,
      f.recipient.identityKey,
      new Uint8Array(randomBytes(16)),
      sealTo(f.recipient.encryptionKey, plain),
    );
    // The round trip (forward route and ack route) feeds the per-node statistics.
    this.deps.loopStats.recordSent(
      ackText,
      [...route.slice(0, 3), ...ackRoute.slice(0, 3)].map((h) => idHex(h.identityKey)),
    );
    return frame;
  }

  private resend(key: string, fragment: PendingFragment): void {
    this.deps.stats.retransmissions++;
    try {
      this.queue.pushFront({ frame: this.buildFragment(key, fragment), ackKey: key });
    } catch (error) {
      this.deps.log.debug({ err: (error as Error).message }, "retransmission could not be built");
      this.retransmit.sent(key); // try again after another timeout
    }
  }

  private failMessage(key: string, fragment: PendingFragment): void {
    const id = key.slice(0, key.indexOf(":"));
    const pending = this.pendingMessages.get(id);
    for (const ackId of fragment.ackIds) this.ackSurbs.delete(ackId);
    if (!pending) return;
    this.pendingMessages.delete(id);
    pending.reject(
      new MixnetError("MIXNET_ERROR_NO_ROUTE", `fragment ${fragment.index} unacknowledged after retransmissions`),
    );
  }

  private fragmentAcked(key: string): void {
    this.deps.stats.fragmentsAcked++;
    const id = key.slice(0, key.indexOf(":"));
    const pending = this.pendingMessages.get(id);
    if (!pending) return;
    pending.remaining--;
    if (pending.remaining === 0) {
      this.pendingMessages.delete(id);
      pending.resolve();
    }
  }
}
