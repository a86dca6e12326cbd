import { randomBytes } from "node:crypto";
import type { Logger } from "@nym-ts/common";
import { createDirectoryClient, type DirectoryClient } from "@nym-ts/directory-client";
import {
  type ClientAddress,
  chooseRoute,
  cryptoRandom,
  decodeAddress,
  decodeDeliver,
  decodeError,
  decodeRegistered,
  E2E_OVERHEAD,
  encodeAddress,
  encodeClientForward,
  encodeDelivered,
  encodePull,
  encodeRegister,
  FrameType,
  formatAddress,
  type Hop,
  idHex,
  LoopStats,
  type MailboxMode,
  MixnetError,
  type MixTransport,
  nymSphinx,
  openSealed,
  PoissonStream,
  parseAddress,
  type Random,
  Reassembler,
  RetransmitQueue,
  type SphinxCodec,
  sampleExponential,
  sealTo,
  splitMessage,
  TopologyIndex,
  type X25519KeyPair,
  x25519FromSecret,
} from "@nym-ts/mixnet";
import {
  createLibp2pTransport,
  ed25519PublicFromSeed,
  hostPortToMultiaddr,
  topologyFromDirectory,
} from "@nym-ts/mixnet-node";

/**
 * The Loopix client: fetches the topology, keeps one authenticated link to its gateway, and sends three Poisson
 * streams (real-or-drop at lambdaP, drop at lambdaD, loop at lambdaL). Messages are split into fragments, each
 * sealed end to end to the recipient and carrying a SURB for its ack; an unacked fragment is sent again on a fresh
 * route. An anonymous sender attaches reply SURBs; the recipient answers through them without learning who asked.
 */
export interface MixClientOptions {
  identitySeed: Uint8Array;
  /** X25519 secret for end-to-end encryption of packets to this client. */
  encryptionSecret: Uint8Array;
  /** Identity key (hex) of this client's gateway; its address comes from the topology. */
  gateway: string;
  directoryUrl: string;
  traffic?: Partial<TrafficOptions>;
  /** Push: the gateway sends stored and new packets over the link. Pull: the client asks every pullIntervalMs. */
  mailboxMode?: MailboxMode;
  pullIntervalMs?: number;
  topologyRefreshMs?: number;
}

export interface TrafficOptions {
  /** Real-or-drop packets per second (Loopix lambdaP); 0 sends real packets at once and no drop in their place. */
  lambdaP: number;
  /** Drop cover packets per second (lambdaD); 0 turns them off. */
  lambdaD: number;
  /** Loop cover packets per second (lambdaL); 0 turns them off. */
  lambdaL: number;
  /** Mean per-hop delay in ms (1/mu in the Loopix paper's notation). */
  meanDelayMs: number;
  /** Sphinx payload size class (message capacity + 17 bytes of framing). */
  payloadSize: number;
  /** Ack wait = ackTimeoutFactor x expected round-trip delay + ackTimeoutExtraMs (nym: 1.5x + 1.5 s). */
  ackTimeoutFactor: number;
  ackTimeoutExtraMs: number;
  /** Sends of one fragment before the message fails. */
  maxAttempts: number;
}

export const DEFAULT_TRAFFIC: TrafficOptions = {
  lambdaP: 20,
  lambdaD: 2,
  lambdaL: 2,
  meanDelayMs: 20,
  payloadSize: 2065,
  ackTimeoutFactor: 1.5,
  ackTimeoutExtraMs: 1500,
  maxAttempts: 10,
};

export interface MixClientModules {
  log: Logger;
  transport?: MixTransport;
  sphinx?: SphinxCodec;
  directory?: DirectoryClient;
  random?: Random;
}

export interface ReceivedMessage {
  /** Hex id of the message (the sender's). */
  id: string;
  data: Uint8Array;
  /** The sender's address when it chose to reveal it; undefined for an anonymous sender. */
  sender: ClientAddress | undefined;
  /** Reply blocks left to answer with; `reply` uses them. */
  surbs: Uint8Array[];
}

export interface ReceivedReply {
  /** Hex id of our message this answers. */
  inReplyTo: string;
  data: Uint8Array;
}

export interface SendOptions {
  /** Include our address so the recipient can answer directly. Default false: anonymous. */
  revealAddress?: boolean;
  /** Attach this many reply SURBs (each lets the recipient send one packet back). */
  replySurbs?: number;
}

export interface ClientStats {
  realSent: number;
  dropsSent: number;
  loopsSent: number;
  loopsReturned: number;
  fragmentsAcked: number;
  retransmissions: number;
  messagesReceived: number;
  repliesReceived: number;
  badPackets: number;
  queued: number;
}

const Kind = { DATA: 1, LOOP: 2, REPLY: 3, ACK: 4 } as const;
const MESSAGE_VERSION = 1;
const FLAG_ADDRESS = 1;
const FLAG_SURBS = 2;

interface OutPacket {
  frame: Uint8Array;
  /** Retransmission key of a data fragment, to arm its ack timer when it leaves. */
  ackKey?: string;
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

const u16 = (b: Uint8Array, at: number): number => ((b[at] as number) << 8) | (b[at + 1] as number);
const putU16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v >> 8;
  b[at + 1] = v & 0xff;
};

export class MixClient {
  readonly address: ClientAddress;
  readonly transport: MixTransport;
  readonly loopStats: LoopStats;
  private readonly traffic: TrafficOptions;
  private readonly sphinx: SphinxCodec;
  private readonly directory: DirectoryClient;
  private readonly random: Random;
  private readonly log: Logger;
  private readonly encryption: X25519KeyPair;
  private index = new TopologyIndex({ mixnodes: [], gateways: [] });
  private gatewayHop: Hop | undefined;
  private etag: string | undefined;
  private readonly realQueue: OutPacket[] = [];
  private readonly streams: PoissonStream[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly retransmit: RetransmitQueue<PendingFragment>;
  private readonly pendingMessages = new Map<string, PendingMessage>();
  /** Ack SURB identifier -> fragment key. */
  private readonly ackSurbs = new Map<
    string,
    { key: string; recoveryKeys: Uint8Array; expect: Uint8Array; fragment: PendingFragment }
  >();
  /** Reply SURB identifier -> our message id and the keys to open the reply. */
  private readonly replySurbs = new Map<string, { messageId: string; recoveryKeys: Uint8Array }>();
  private readonly reassembler = new Reassembler();
  private readonly replyReassembler = new Reassembler();
  private readonly messageHandlers: ((message: ReceivedMessage) => void)[] = [];
  private readonly replyHandlers: ((reply: ReceivedReply) => void)[] = [];
  private registered: { resolve: () => void } | undefined;
  private started = false;
  readonly stats: ClientStats = {
    realSent: 0,
    dropsSent: 0,
    loopsSent: 0,
    loopsReturned: 0,
    fragmentsAcked: 0,
    retransmissions: 0,
    messagesReceived: 0,
    repliesReceived: 0,
    badPackets: 0,
    queued: 0,
  };

  constructor(
    private readonly options: MixClientOptions,
    modules: MixClientModules,
  ) {
    this.traffic = { ...DEFAULT_TRAFFIC, ...options.traffic };
    this.log = modules.log.child({ module: "mix-client" });
    this.sphinx = modules.sphinx ?? nymSphinx;
    this.random = modules.random ?? cryptoRandom;
    this.directory = modules.directory ?? createDirectoryClient({ baseUrl: options.directoryUrl, timeoutMs: 5000 });
    this.transport = modules.transport ?? createLibp2pTransport({ identitySeed: options.identitySeed, listen: [] });
    this.encryption = x25519FromSecret(options.encryptionSecret);
    this.address = {
      identityKey: ed25519PublicFromSeed(options.identitySeed),
      encryptionKey: this.encryption.publicKey,
      gateway: new Uint8Array(Buffer.from(options.gateway, "hex")),
    };
    if (this.address.gateway.length !== 32) throw new RangeError("gateway must be a 32-byte hex identity key");
    const expected = this.expectedRoundTripMs();
    this.retransmit = new RetransmitQueue<PendingFragment>({
      // Doubling per attempt (capped at 8x): a congested path gets room instead of a retransmission storm.
      ackTimeoutMs: (attempt) =>
        (this.traffic.ackTimeoutFactor * expected + this.traffic.ackTimeoutExtraMs) * 2 ** Math.min(attempt - 1, 3),
      maxAttempts: this.traffic.maxAttempts,
      retransmit: (key, fragment) => this.resend(key, fragment),
      giveUp: (key, fragment) => this.failMessage(key, fragment),
    });
    this.loopStats = new LoopStats({
      timeoutMs: this.traffic.ackTimeoutFactor * expected + this.traffic.ackTimeoutExtraMs,
    });
    this.transport.onFrame((frame, from) => this.onFrame(frame, from));
    this.transport.onPeerConnected((peer) => {
      if (this.started && Buffer.from(peer).equals(Buffer.from(this.address.gateway))) this.sendRegister();
    });
  }

  /** Text form of this client's address, to give to correspondents. */
  get addressText(): string {
    return formatAddress(this.address);
  }

  /** Most bytes of message per data fragment. */
  get fragmentCapacity(): number {
    return this.sealedCapacity() - (1 + 16 + 6) - this.sphinx.surbLength;
  }

  onMessage(handler: (message: ReceivedMessage) => void): void {
    this.messageHandlers.push(handler);
  }

  onReply(handler: (reply: ReceivedReply) => void): void {
    this.replyHandlers.push(handler);
  }

  async start(): Promise<void> {
    await this.transport.start();
    await this.refreshTopology();
    if (!this.gatewayHop) {
      throw new MixnetError("MIXNET_ERROR_NO_ROUTE", "the gateway is not in the directory's topology");
    }
    this.started = true;
    const registered = new Promise<void>((resolve) => {
      this.registered = { resolve };
    });
    this.sendRegister();
    await Promise.race([
      registered,
      new Promise((_, reject) =>
        setTimeout(() => reject(new MixnetError("MIXNET_ERROR_NO_ROUTE", "gateway did not answer")), 10_000).unref(),
      ),
    ]);
    const t = this.traffic;
    if (t.lambdaP > 0) this.streams.push(new PoissonStream(t.lambdaP, () => this.realOrDrop(), this.random));
    this.streams.push(new PoissonStream(t.lambdaD, () => this.sendDrop(), this.random));
    this.streams.push(new PoissonStream(t.lambdaL, () => this.sendLoop(), this.random));
    for (const s of this.streams) s.start();
    this.every(this.options.topologyRefreshMs ?? 30_000, () => this.refreshTopology());
    if ((this.options.mailboxMode ?? "push") === "pull") {
      this.every(this.options.pullIntervalMs ?? 1000, async () => {
        this.toGateway(encodePull(100));
      });
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const s of this.streams) s.stop();
    for (const t of this.timers) clearInterval(t);
    this.retransmit.stop();
    for (const pending of this.pendingMessages.values()) {
      pending.reject(new MixnetError("MIXNET_ERROR_NO_ROUTE", "client stopped"));
    }
    this.pendingMessages.clear();
    await this.transport.stop();
  }

  /**
   * Waits (up to `timeoutMs`) until every queued packet has left on the Poisson stream: acks of received fragments
   * included, so a client that exits right after receiving does not make its senders retransmit.
   */
  async drain(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.realQueue.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.realQueue.length === 0;
  }

  /** Asks the gateway for stored messages now (pull mode, or to drain a mailbox once). */
  pull(max = 100): void {
    this.toGateway(encodePull(max));
  }

  async refreshTopology(): Promise<void> {
    try {
      const result = await this.directory.getTopology(this.etag);
      if (!result.modified) return;
      this.etag = result.etag;
      this.index = new TopologyIndex(topologyFromDirectory(result.topology));
      const gw = result.topology.gateways.find((g) => g.identityKey === this.options.gateway);
      if (gw) {
        this.gatewayHop = {
          identityKey: this.address.gateway,
          sphinxKey: new Uint8Array(Buffer.from(gw.sphinxKey, "hex")),
          address: hostPortToMultiaddr(gw.clientAddress),
        };
      }
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, "topology refresh failed");
    }
  }

  /**
   * Sends a message; resolves when every fragment is acknowledged, rejects when one is given up after maxAttempts.
   * Returns the message id (hex) through `onQueued`, for matching replies.
   */
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
    for (const frame of frames) this.enqueue(frame);
    onQueued?.(idText);
    return done;
  }

  /** Answers a received message through its reply SURBs (one packet per SURB); throws when there are too few. */
  reply(to: ReceivedMessage, data: Uint8Array): void {
    const capacity = this.messageCapacity() - (1 + 16 + 4);
    const fragments = splitMessage(new Uint8Array(Buffer.from(to.id, "hex")), data, capacity);
    if (fragments.length > to.surbs.length) {
      throw new MixnetError(
        "MIXNET_ERROR_MESSAGE_TOO_LONG",
        `reply needs ${fragments.length} SURBs, ${to.surbs.length} left`,
      );
    }
    for (const f of fragments) {
      const surb = to.surbs.shift() as Uint8Array;
      const plain = new Uint8Array(1 + 16 + 4 + f.data.length);
      plain[0] = Kind.REPLY;
      plain.set(f.messageId, 1);
      putU16(plain, 17, f.index);
      putU16(plain, 19, f.total);
      plain.set(f.data, 21);
      const { firstHop, packet } = this.sphinx.packetFromSurb(surb, plain, this.traffic.payloadSize);
      this.enqueue({ frame: encodeClientForward(firstHop, packet) });
    }
  }

  // ---- building packets ----

  private messageCapacity(): number {
    return this.traffic.payloadSize - this.sphinx.payloadOverhead;
  }

  private sealedCapacity(): number {
    return this.messageCapacity() - E2E_OVERHEAD;
  }

  private expectedRoundTripMs(): number {
    // Forward route (3 mixes + gateway) and the ack's route back: 8 hops, 6 of which delay (mixes).
    return 6 * this.traffic.meanDelayMs + 200;
  }

  private delays(n: number): number[] {
    return Array.from({ length: n }, () => sampleExponential(this.traffic.meanDelayMs, this.random));
  }

  private avoid(): Set<string> {
    return this.loopStats.suspects();
  }

  private sphinxRoute(route: Hop[]): { address: Uint8Array; publicKey: Uint8Array }[] {
    return route.map((h) => ({ address: h.identityKey, publicKey: h.sphinxKey }));
  }

  private encodeMessage(messageId: Uint8Array, data: Uint8Array, options: SendOptions): Uint8Array {
    const surbCount = options.replySurbs ?? 0;
    if (surbCount > 255) throw new RangeError("at most 255 reply SURBs");
    const parts: Uint8Array[] = [];
    let flags = 0;
    if (options.revealAddress) flags |= FLAG_ADDRESS;
    if (surbCount > 0) flags |= FLAG_SURBS;
    parts.push(Uint8Array.of(MESSAGE_VERSION, flags));
    if (options.revealAddress) parts.push(encodeAddress(this.address));
    if (surbCount > 0) {
      parts.push(Uint8Array.of(surbCount));
      for (let i = 0; i < surbCount; i++) {
        const identifier = new Uint8Array(randomBytes(16));
        const route = chooseRoute(this.index, this.address.gateway, { random: this.random, avoid: this.avoid() });
        const { surb, recoveryKeys } = this.sphinx.createSurb({
          route: this.sphinxRoute(route),
          delaysMs: this.delays(route.length),
          destination: this.address.identityKey,
          identifier,
        });
        this.replySurbs.set(idHex(identifier), { messageId: idHex(messageId), recoveryKeys });
        parts.push(surb);
      }
    }
    parts.push(data);
    return Buffer.concat(parts);
  }

  /** A data fragment with a fresh route and a fresh ack SURB, sealed to the recipient. */
  private buildFragment(key: string, f: PendingFragment): Uint8Array {
    const gateway = this.index.gateway(f.recipient.gateway);
    if (!gateway) throw new MixnetError("MIXNET_ERROR_NO_ROUTE", "recipient's gateway is not in the topology");
    const avoid = this.avoid();
    const ackId = new Uint8Array(randomBytes(16));
    const ackRoute = chooseRoute(this.index, this.address.gateway, { random: this.random, avoid });
    const expect = new Uint8Array(1 + 16 + 2);
    expect[0] = Kind.ACK;
    expect.set(f.messageId, 1);
    putU16(expect, 17, f.index);
    const { surb, recoveryKeys } = this.sphinx.createSurb({
      route: this.sphinxRoute(ackRoute),
      delaysMs: this.delays(ackRoute.length),
      destination: this.address.identityKey,
      identifier: ackId,
    });
    const ackText = idHex(ackId);
    f.ackIds.push(ackText);
    this.ackSurbs.set(ackText, { key, recoveryKeys, expect, fragment: f });

    const plain = new Uint8Array(1 + 16 + 6 + surb.length + f.body.length);
    plain[0] = Kind.DATA;
    plain.set(f.messageId, 1);
    putU16(plain, 17, f.index);
    putU16(plain, 19, f.total);
    putU16(plain, 21, surb.length);
    plain.set(surb, 23);
    plain.set(f.body, 23 + surb.length);
    const route = chooseRoute(this.index, f.recipient.gateway, { random: this.random, avoid });
    const packet = this.sphinx.createPacket({
      route: this.sphinxRoute(route),
      delaysMs: this.delays(route.length),
      destination: f.recipient.identityKey,
      identifier: new Uint8Array(randomBytes(16)),
      message: sealTo(f.recipient.encryptionKey, plain),
      payloadSize: this.traffic.payloadSize,
    });
    // The round trip (forward route and ack route) feeds the per-node statistics.
    this.loopStats.recordSent(
      ackText,
      [...route.slice(0, 3), ...ackRoute.slice(0, 3)].map((h) => idHex(h.identityKey)),
    );
    return encodeClientForward(route[0]!.identityKey, packet);
  }

  private resend(key: string, fragment: PendingFragment): void {
    this.stats.retransmissions++;
    try {
      // Retransmissions go first: they are late already.
      this.realQueue.unshift({ frame: this.buildFragment(key, fragment), ackKey: key });
      this.flushIfUnlimited();
    } catch (error) {
      this.log.debug({ err: (error as Error).message }, "retransmission could not be built");
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

  private coverPacket(destination: Uint8Array, gateway: Uint8Array, identifier: Uint8Array): Uint8Array {
    const route = chooseRoute(this.index, gateway, { random: this.random });
    // Random bytes look exactly like a sealed fragment to everyone, the gateway included.
    const packet = this.sphinx.createPacket({
      route: this.sphinxRoute(route),
      delaysMs: this.delays(route.length),
      destination,
      identifier,
      message: new Uint8Array(randomBytes(this.messageCapacity())),
      payloadSize: this.traffic.payloadSize,
    });
    return encodeClientForward(route[0]!.identityKey, packet);
  }

  // ---- sending ----

  private enqueue(packet: OutPacket): void {
    this.realQueue.push(packet);
    this.stats.queued = this.realQueue.length;
    this.flushIfUnlimited();
  }

  private flushIfUnlimited(): void {
    if (this.traffic.lambdaP > 0 || !this.started) return;
    while (this.realQueue.length > 0) this.sendOut(this.realQueue.shift() as OutPacket);
  }

  private sendOut(packet: OutPacket): void {
    this.toGateway(packet.frame);
    this.stats.realSent++;
    if (packet.ackKey) this.retransmit.sent(packet.ackKey);
    this.stats.queued = this.realQueue.length;
  }

  /** One lambdaP slot: the next real packet, or a drop cover packet in its place. */
  private realOrDrop(): void {
    const next = this.realQueue.shift();
    if (next) this.sendOut(next);
    else this.sendDrop();
  }

  private sendDrop(): void {
    if (this.index.topology.gateways.length === 0) return;
    try {
      const gateways = this.index.topology.gateways;
      const gw = gateways[Math.floor(this.random() * gateways.length)]!;
      this.toGateway(
        this.coverPacket(new Uint8Array(randomBytes(32)), gw.identityKey, new Uint8Array(randomBytes(16))),
      );
      this.stats.dropsSent++;
    } catch {
      // no complete topology: nothing to send
    }
  }

  private sendLoop(): void {
    try {
      const identifier = new Uint8Array(randomBytes(16));
      const route = chooseRoute(this.index, this.address.gateway, { random: this.random });
      const packet = this.sphinx.createPacket({
        route: this.sphinxRoute(route),
        delaysMs: this.delays(route.length),
        destination: this.address.identityKey,
        identifier,
        message: new Uint8Array(randomBytes(this.messageCapacity())),
        payloadSize: this.traffic.payloadSize,
      });
      this.loopStats.recordSent(
        idHex(identifier),
        route.slice(0, 3).map((h) => idHex(h.identityKey)),
      );
      this.toGateway(encodeClientForward(route[0]!.identityKey, packet));
      this.stats.loopsSent++;
    } catch {
      // no complete topology
    }
  }

  private toGateway(frame: Uint8Array): void {
    const gw = this.gatewayHop;
    if (!gw) return;
    this.transport.send({ id: gw.identityKey, address: gw.address }, frame);
  }

  private sendRegister(): void {
    this.toGateway(encodeRegister(this.options.mailboxMode ?? "push"));
  }

  // ---- receiving ----

  private onFrame(frame: Uint8Array, from: Uint8Array): void {
    if (!Buffer.from(from).equals(Buffer.from(this.address.gateway))) return;
    try {
      switch (frame[0]) {
        case FrameType.REGISTERED:
          decodeRegistered(frame);
          this.registered?.resolve();
          return;
        case FrameType.DELIVER: {
          const items = decodeDeliver(frame);
          for (const item of items) this.onStored(item.data);
          if (items.length > 0) this.toGateway(encodeDelivered(items.map((i) => i.id)));
          return;
        }
        case FrameType.ERROR:
          this.log.warn({ error: decodeError(frame).message }, "gateway refused a request");
          return;
        default:
          this.stats.badPackets++;
      }
    } catch (error) {
      this.stats.badPackets++;
      this.log.debug({ err: (error as Error).message }, "bad frame from gateway");
    }
  }

  /** One stored packet: identifier(16) ‖ final payload. */
  private onStored(data: Uint8Array): void {
    if (data.length < 17) {
      this.stats.badPackets++;
      return;
    }
    const idText = idHex(data.subarray(0, 16));
    const payload = data.subarray(16);
    try {
      const ack = this.ackSurbs.get(idText);
      if (ack) {
        const message = this.sphinx.openSurbReply(ack.recoveryKeys, payload);
        if (!Buffer.from(message).equals(Buffer.from(ack.expect))) throw new Error("ack does not match");
        for (const ackId of ack.fragment.ackIds) this.ackSurbs.delete(ackId);
        this.loopStats.recordReturned(idText);
        if (this.retransmit.ack(ack.key)) this.fragmentAcked(ack.key);
        return;
      }
      if (this.loopStats.recordReturned(idText)) {
        this.stats.loopsReturned++;
        return;
      }
      const reply = this.replySurbs.get(idText);
      if (reply) {
        this.replySurbs.delete(idText);
        this.onReplyFragment(this.sphinx.openSurbReply(reply.recoveryKeys, payload));
        return;
      }
      this.onDataFragment(openSealed(this.encryption, this.sphinx.decodePayload(payload)));
    } catch (error) {
      this.stats.badPackets++;
      this.log.debug({ err: (error as Error).message }, "undecodable packet dropped");
    }
  }

  private fragmentAcked(key: string): void {
    this.stats.fragmentsAcked++;
    const id = key.slice(0, key.indexOf(":"));
    const pending = this.pendingMessages.get(id);
    if (!pending) return;
    pending.remaining--;
    if (pending.remaining === 0) {
      this.pendingMessages.delete(id);
      pending.resolve();
    }
  }

  private onDataFragment(plain: Uint8Array): void {
    if (plain.length < 23 || plain[0] !== Kind.DATA)
      throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "not a fragment");
    const messageId = plain.slice(1, 17);
    const index = u16(plain, 17);
    const total = u16(plain, 19);
    const surbLength = u16(plain, 21);
    if (surbLength !== 0 && surbLength !== this.sphinx.surbLength) {
      throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "bad ack SURB length");
    }
    if (plain.length < 23 + surbLength) throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "fragment truncated");
    // Ack first, also for duplicates: the sender retransmits because an earlier ack was lost.
    if (surbLength > 0) {
      const ack = new Uint8Array(1 + 16 + 2);
      ack[0] = Kind.ACK;
      ack.set(messageId, 1);
      putU16(ack, 17, index);
      const { firstHop, packet } = this.sphinx.packetFromSurb(
        plain.subarray(23, 23 + surbLength),
        ack,
        this.traffic.payloadSize,
      );
      this.enqueue({ frame: encodeClientForward(firstHop, packet) });
    }
    const result = this.reassembler.add({ messageId, index, total, data: plain.subarray(23 + surbLength) });
    if (result.status !== "complete") return;
    const message = this.decodeMessage(idHex(messageId), result.message);
    this.stats.messagesReceived++;
    for (const handler of this.messageHandlers) handler(message);
  }

  private decodeMessage(id: string, body: Uint8Array): ReceivedMessage {
    if (body.length < 2 || body[0] !== MESSAGE_VERSION) {
      throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "unknown message version");
    }
    const flags = body[1] as number;
    let offset = 2;
    let sender: ClientAddress | undefined;
    if (flags & FLAG_ADDRESS) {
      sender = decodeAddress(body.subarray(offset, offset + 96));
      offset += 96;
    }
    const surbs: Uint8Array[] = [];
    if (flags & FLAG_SURBS) {
      const count = body[offset] as number;
      offset++;
      const len = this.sphinx.surbLength;
      if (body.length < offset + count * len) throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "SURBs truncated");
      for (let i = 0; i < count; i++) surbs.push(body.slice(offset + i * len, offset + (i + 1) * len));
      offset += count * len;
    }
    return { id, data: body.slice(offset), sender, surbs };
  }

  private onReplyFragment(plain: Uint8Array): void {
    if (plain.length < 21 || plain[0] !== Kind.REPLY) throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "not a reply");
    const messageId = plain.slice(1, 17);
    // Replies to one message share its id; reassemble under a derived key so they never mix with forward messages.
    const result = this.replyReassembler.add({
      messageId,
      index: u16(plain, 17),
      total: u16(plain, 19),
      data: plain.subarray(21),
    });
    if (result.status !== "complete") return;
    this.stats.repliesReceived++;
    for (const handler of this.replyHandlers) handler({ inReplyTo: idHex(messageId), data: result.message });
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => {
      void task();
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
