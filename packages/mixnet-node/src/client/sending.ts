import { randomBytes } from "node:crypto";
import type { Logger } from "@nym-ts/common";
import {
  type ClientAddress,
  chooseRoute,
  decodeGatewayAck,
  E2E_OVERHEAD,
  ENVELOPE_HEADER,
  encodeAddress,
  encodeClientForward,
  encodeEnvelope,
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
import type { ClientStats, DeliveryState, SendOptions, SendProgress, TrafficOptions } from "./client-types.js";
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

  /** Bytes of a forward message after its envelope (the gateway-ack SURB in front; gateway-ack.ts). */
  get envelopeCapacity(): number {
    return this.messageCapacity - ENVELOPE_HEADER - this.deps.sphinx.surbLength;
  }

  /** Bytes of message one payload carries once enveloped and sealed to its recipient. */
  get sealedCapacity(): number {
    return this.envelopeCapacity - E2E_OVERHEAD;
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
  /** Hex of messageId. */
  id: string;
  index: number;
  total: number;
  body: Uint8Array;
  /** Identifiers (hex) of every recipient-ack SURB sent for this fragment: a late ack of an earlier send counts too. */
  ackIds: string[];
  /** Identifiers (hex) of every gateway-ack SURB sent for this fragment. */
  gatewayAckIds: string[];
  /** Handed to our gateway at least once. */
  sent: boolean;
  /** The recipient's gateway acknowledged storing a copy (or the recipient acknowledged it). */
  stored: boolean;
  /** The recipient acknowledged it. */
  delivered: boolean;
  /** Copies sent after it was stored, to learn of its delivery should the recipient's ack have been lost. */
  probes: number;
  probeTimer: NodeJS.Timeout | undefined;
}

interface PendingMessage {
  id: string;
  fragments: PendingFragment[];
  startedAt: number;
  retransmissions: number;
  deliveryTimeoutMs: number;
  /** Armed once every fragment is stored: the recipient has this long to fetch the message. */
  deliveryTimer: NodeJS.Timeout | undefined;
  state: DeliveryState;
  onProgress: ((progress: SendProgress) => void) | undefined;
  resolve: (result: SendProgress) => void;
  reject: (error: Error) => void;
}

interface AckSurb {
  key: string;
  /** Who answers through it: the recipient (delivered) or the recipient's gateway (stored). */
  from: "recipient" | "gateway";
  recoveryKeys: Uint8Array;
  fragment: PendingFragment;
}

/** How long a stored message waits for its recipient by default (`SendOptions.deliveryTimeoutMs`). */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 60_000;

const STATE_ORDER: Record<DeliveryState, number> = { queued: 0, sent: 1, stored: 2, delivered: 3 };

/**
 * Reliable messages: fragments, two ack SURBs per copy (one the recipient's gateway answers once it stored the copy,
 * one sealed inside for the recipient), retransmission on a fresh route until the gateway or the recipient answers,
 * and the promise and progress of each send.
 */
export class Sender {
  readonly queue: OutQueue;
  private readonly retransmit: RetransmitQueue<PendingFragment>;
  private readonly pendingMessages = new Map<string, PendingMessage>();
  /** Ack SURB identifier (hex) -> fragment key, who answers, and the keys to open the ack. */
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
      giveUp: (_key, fragment) => this.failLost(fragment),
      onError: (error) => deps.onError(error),
    });
    this.queue = new OutQueue({
      link: deps.link,
      traffic: deps.traffic,
      stats: deps.stats,
      onSent: (key) => this.fragmentSent(key),
    });
  }

  /** Most bytes of message per data fragment. */
  get fragmentCapacity(): number {
    return this.deps.planner.sealedCapacity - DATA_HEADER - this.deps.sphinx.surbLength;
  }

  /** Messages whose send has not settled yet. */
  get inFlight(): number {
    return this.pendingMessages.size;
  }

  /** See MixClient.send. */
  send(
    recipient: ClientAddress | string,
    data: Uint8Array,
    options: SendOptions = {},
    onQueued?: (messageId: string) => void,
  ): Promise<SendProgress> {
    let to: ClientAddress;
    let messageId: Uint8Array;
    let idText: string;
    const frames: OutPacket[] = [];
    const keys: string[] = [];
    const pendingFragments: PendingFragment[] = [];
    try {
      if (this.fragmentCapacity <= 0) {
        throw new MixnetError("MIXNET_ERROR_MESSAGE_TOO_LONG", "payload size too small for a fragment and its acks");
      }
      // Everything that can fail (bad address, unknown gateway, no route) fails here, before anything is queued.
      to = typeof recipient === "string" ? parseAddress(recipient) : recipient;
      messageId = new Uint8Array(randomBytes(16));
      idText = idHex(messageId);
      const body = this.encodeMessage(messageId, data, options);
      for (const f of splitMessage(messageId, body, this.fragmentCapacity)) {
        const key = `${idText}:${f.index}`;
        const pending: PendingFragment = {
          recipient: to,
          messageId,
          id: idText,
          index: f.index,
          total: f.total,
          body: f.data,
          ackIds: [],
          gatewayAckIds: [],
          sent: false,
          stored: false,
          delivered: false,
          probes: 0,
          probeTimer: undefined,
        };
        frames.push({ frame: this.buildFragment(key, pending), ackKey: key });
        keys.push(key);
        pendingFragments.push(pending);
        this.retransmit.track(key, pending);
      }
    } catch (error) {
      for (const key of keys) this.retransmit.ack(key);
      for (const f of pendingFragments) this.forgetAckSurbs(f, true);
      return Promise.reject(error);
    }
    const done = new Promise<SendProgress>((resolve, reject) => {
      this.pendingMessages.set(idText, {
        id: idText,
        fragments: pendingFragments,
        startedAt: Date.now(),
        retransmissions: 0,
        deliveryTimeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
        deliveryTimer: undefined,
        state: "queued",
        onProgress: options.onProgress,
        resolve,
        reject,
      });
    });
    onQueued?.(idText);
    this.report(idText);
    for (const frame of frames) this.queue.push(frame);
    return done;
  }

  /** Where the message stands now; undefined once its send settled (or for an unknown id). */
  progress(messageId: string): SendProgress | undefined {
    const pending = this.pendingMessages.get(messageId);
    return pending ? snapshot(pending) : undefined;
  }

  /**
   * A stored packet whose identifier may be one of our ack SURBs. False when it is not; true when it was an ack
   * (consumed); throws when it claims to be one but does not open to the ack we expect.
   */
  handleAck(identifier: string, payload: Uint8Array): boolean {
    const ack = this.ackSurbs.get(identifier);
    if (!ack) return false;
    const message = this.deps.sphinx.openSurbReply(ack.recoveryKeys, payload);
    const f = ack.fragment;
    if (ack.from === "gateway") {
      const said = decodeGatewayAck(message);
      if (said === undefined) throw new Error("gateway ack does not match");
      // Network round trip (forward route and the gateway-ack route): it feeds the per-node statistics.
      this.deps.loopStats.recordReturned(identifier);
      for (const id of f.gatewayAckIds) this.ackSurbs.delete(id);
      if (f.stored) return true;
      if (said === "dropped") {
        this.failDropped(f);
        return true;
      }
      f.stored = true;
      this.deps.stats.fragmentsStored++;
      // Stored: the gateway keeps it until the recipient confirms, so no more retransmissions on the ack timer. Only a
      // slow probe, should the recipient's (single) ack get lost on its way: the recipient acks every copy it gets.
      this.retransmit.ack(ack.key);
      this.scheduleProbe(ack.key, f);
    } else {
      if (!Buffer.from(message).equals(Buffer.from(encodeAck(f.messageId, f.index)))) {
        throw new Error("ack does not match");
      }
      this.forgetAckSurbs(f, true);
      if (f.delivered) return true;
      this.retransmit.ack(ack.key);
      clearTimeout(f.probeTimer);
      if (!f.stored) this.deps.stats.fragmentsStored++;
      f.stored = true;
      f.delivered = true;
      this.deps.stats.fragmentsAcked++;
    }
    this.report(f.id);
    return true;
  }

  /** Stops retransmitting and rejects every message still waiting for acks. */
  stop(): void {
    this.retransmit.stop();
    for (const pending of this.pendingMessages.values()) {
      clearTimeout(pending.deliveryTimer);
      for (const f of pending.fragments) clearTimeout(f.probeTimer);
      pending.reject(new MixnetError("MIXNET_ERROR_NO_ROUTE", "client stopped", snapshot(pending)));
    }
    this.pendingMessages.clear();
    this.ackSurbs.clear();
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

  /**
   * A data fragment with a fresh route and two fresh ack SURBs: one in the clear of the envelope, for the recipient's
   * gateway, and one sealed to the recipient with the data.
   */
  private buildFragment(key: string, f: PendingFragment): Uint8Array {
    const planner = this.deps.planner;
    const gateway = this.deps.link.index.gateway(f.recipient.gateway);
    if (!gateway) throw new MixnetError("MIXNET_ERROR_NO_ROUTE", "recipient's gateway is not in the topology");
    const avoid = planner.suspects();
    const ackId = new Uint8Array(randomBytes(16));
    const { surb, recoveryKeys } = planner.surbToSelf(ackId, avoid);
    const gwAckId = new Uint8Array(randomBytes(16));
    const gwAck = planner.surbToSelf(gwAckId, avoid);
    const route = planner.route(f.recipient.gateway, avoid);

    const plain = new Uint8Array(DATA_HEADER + surb.length + f.body.length);
    plain[0] = Kind.DATA;
    plain.set(f.messageId, 1);
    putU16(plain, 17, f.index);
    putU16(plain, 19, f.total);
    putU16(plain, 21, surb.length);
    plain.set(surb, DATA_HEADER);
    plain.set(f.body, DATA_HEADER + surb.length);
    const frame = planner.forwardFrame(
      route,
      f.recipient.identityKey,
      new Uint8Array(randomBytes(16)),
      encodeEnvelope(gwAck.surb, sealTo(f.recipient.encryptionKey, plain)),
    );
    const ackText = idHex(ackId);
    const gwAckText = idHex(gwAckId);
    f.ackIds.push(ackText);
    f.gatewayAckIds.push(gwAckText);
    this.ackSurbs.set(ackText, { key, from: "recipient", recoveryKeys, fragment: f });
    this.ackSurbs.set(gwAckText, { key, from: "gateway", recoveryKeys: gwAck.recoveryKeys, fragment: f });
    // The network round trip (forward route, gateway-ack route) feeds the per-node statistics. Not the recipient's
    // ack: an offline recipient would make every node of the route look like it drops packets.
    this.deps.loopStats.recordSent(
      gwAckText,
      [...route.slice(0, 3), ...gwAck.route.slice(0, 3)].map((h) => idHex(h.identityKey)),
    );
    return frame;
  }

  private resend(key: string, fragment: PendingFragment): void {
    this.deps.stats.retransmissions++;
    const pending = this.pendingMessages.get(fragment.id);
    if (pending) pending.retransmissions++;
    try {
      this.queue.pushFront({ frame: this.buildFragment(key, fragment), ackKey: key });
    } catch (error) {
      this.deps.log.debug({ err: (error as Error).message }, "retransmission could not be built");
      this.retransmit.sent(key); // try again after another timeout
    }
    this.report(fragment.id);
  }

  private fragmentSent(key: string): void {
    this.retransmit.sent(key);
    const id = key.slice(0, key.indexOf(":"));
    const pending = this.pendingMessages.get(id);
    const fragment = pending?.fragments[Number(key.slice(key.indexOf(":") + 1))];
    if (!fragment || fragment.sent) return;
    fragment.sent = true;
    this.report(id);
  }

  /** A fragment given up with no ack at all: the message is lost. */
  private failLost(fragment: PendingFragment): void {
    const pending = this.pendingMessages.get(fragment.id);
    if (!pending) return;
    const progress = snapshot(pending);
    this.settle(pending);
    pending.reject(
      new MixnetError(
        "MIXNET_ERROR_LOST",
        `fragment ${fragment.index} of ${fragment.total}: no acknowledgement from the recipient's gateway or the ` +
          `recipient after ${this.deps.traffic.maxAttempts} sends (${Math.round(progress.elapsedMs / 1000)} s)`,
        { ...progress, reason: "no-ack" },
      ),
    );
  }

  /** The recipient's gateway did not store a fragment: no such registered client, or a full mailbox. */
  private failDropped(fragment: PendingFragment): void {
    const pending = this.pendingMessages.get(fragment.id);
    if (!pending) return;
    const progress = snapshot(pending);
    this.settle(pending);
    pending.reject(
      new MixnetError(
        "MIXNET_ERROR_LOST",
        `the recipient's gateway dropped fragment ${fragment.index} of ${fragment.total}: the recipient is not ` +
          "registered there (it has never connected) or its mailbox is full",
        { ...progress, reason: "dropped" },
      ),
    );
  }

  /** Recomputes a message's state after a change: progress callback, delivery deadline, settlement. */
  private report(id: string): void {
    const pending = this.pendingMessages.get(id);
    if (!pending) return;
    const progress = snapshot(pending);
    pending.state = progress.state;
    try {
      pending.onProgress?.(progress);
    } catch (error) {
      this.deps.onError(error);
    }
    if (progress.state === "delivered") {
      this.settle(pending);
      pending.resolve(progress);
      return;
    }
    if (progress.state === "stored" && pending.deliveryTimer === undefined) {
      pending.deliveryTimer = setTimeout(() => this.failNotFetched(id), pending.deliveryTimeoutMs);
      pending.deliveryTimer.unref();
    }
  }

  private failNotFetched(id: string): void {
    const pending = this.pendingMessages.get(id);
    if (!pending) return;
    const progress = snapshot(pending);
    this.settle(pending);
    pending.reject(
      new MixnetError(
        "MIXNET_ERROR_NOT_FETCHED",
        `stored at the recipient's gateway, not fetched by the recipient within ${pending.deliveryTimeoutMs} ms ` +
          `(${progress.delivered} of ${progress.fragments} fragments acknowledged by the recipient)`,
        progress,
      ),
    );
  }

  /**
   * A stored fragment not yet delivered is sent again every 8x the first ack wait (the retransmissions' cap), at most
   * maxAttempts times: a recipient that got it but whose ack was lost acks the new copy; one that is offline finds
   * the copies in its mailbox and keeps one.
   */
  private scheduleProbe(key: string, f: PendingFragment): void {
    if (f.probes >= this.deps.traffic.maxAttempts) return;
    clearTimeout(f.probeTimer);
    f.probeTimer = setTimeout(() => {
      f.probeTimer = undefined;
      const pending = this.pendingMessages.get(f.id);
      if (!pending || f.delivered) return;
      try {
        f.probes++;
        pending.retransmissions++;
        this.deps.stats.retransmissions++;
        this.queue.pushFront({ frame: this.buildFragment(key, f) });
        this.report(f.id);
      } catch (error) {
        this.deps.onError(error);
      }
      this.scheduleProbe(key, f);
    }, 8 * baseAckTimeoutMs(this.deps.traffic));
    f.probeTimer.unref();
  }

  /** Forgets a message: its timers, its fragments' retransmissions and ack SURBs. */
  private settle(pending: PendingMessage): void {
    clearTimeout(pending.deliveryTimer);
    this.pendingMessages.delete(pending.id);
    for (const f of pending.fragments) {
      clearTimeout(f.probeTimer);
      this.retransmit.ack(`${f.id}:${f.index}`);
      this.forgetAckSurbs(f, true);
    }
  }

  private forgetAckSurbs(f: PendingFragment, all: boolean): void {
    for (const id of f.gatewayAckIds) this.ackSurbs.delete(id);
    if (all) for (const id of f.ackIds) this.ackSurbs.delete(id);
  }
}

/** A message's progress: the least advanced fragment decides its state. */
function snapshot(pending: PendingMessage): SendProgress {
  const fragments = pending.fragments.length;
  const sent = pending.fragments.filter((f) => f.sent || f.stored).length;
  const stored = pending.fragments.filter((f) => f.stored).length;
  const delivered = pending.fragments.filter((f) => f.delivered).length;
  let state: DeliveryState = "queued";
  if (delivered === fragments) state = "delivered";
  else if (stored === fragments) state = "stored";
  else if (sent === fragments) state = "sent";
  // Never back: a state once reported stays reached.
  if (STATE_ORDER[pending.state] > STATE_ORDER[state]) state = pending.state;
  return {
    messageId: pending.id,
    state,
    fragments,
    sent,
    stored,
    delivered,
    retransmissions: pending.retransmissions,
    elapsedMs: Date.now() - pending.startedAt,
  };
}
