import type { Logger } from "@nym-ts/common";
import type { MixTransport, ProcessedPacket, SphinxCodec, SphinxNodeKey } from "@nym-ts/mixnet";
import {
  chooseMixLoopRoute,
  cryptoRandom,
  encodeMixPacket,
  FrameType,
  type IndexedHop,
  isPayloadSize,
  LoopStats,
  type MixNodeInfo,
  PoissonStream,
  type Random,
  sampleExponential,
  TimerQueue,
  type Topology,
  TopologyIndex,
} from "@nym-ts/mixnet";
import { CaughtErrors } from "./caught-errors.js";
import type { PacketObserver } from "./observe.js";
import { DEFAULT_PEER_PENALTIES, PeerPenalties, type PeerPenaltyOptions } from "./peer-penalties.js";

/**
 * The packet engine shared by mixnodes and gateways: Sphinx processing, the replay check, the delay queue and
 * forwarding, its own loop cover traffic (lambdaM), and counters for metrics. Everything malformed, replayed, too
 * slow or unroutable is dropped and counted by reason, never thrown out of a frame handler.
 */
export interface MixCoreOptions {
  /** 1..3 for a mixnode; "gateway" for a gateway (forwarding only, no own loops). */
  layer: number | "gateway";
  /** Packets whose header asks for a longer delay are dropped (nym: 10 s). */
  maxDelayMs: number;
  /** Packets held in the delay queue at once; more are dropped (back-pressure). */
  delayQueueCapacity: number;
  /** Own loop cover packets per second (Loopix lambdaM); 0 turns them off. */
  loopRate: number;
  /** Mean per-hop delay of own loops, ms. */
  loopMeanDelayMs: number;
  /** Payload size of own loops: the same as real packets, so they look alike on the wire. */
  payloadSize: number;
  /** A loop not back within this is counted lost. */
  loopTimeoutMs: number;
  /**
   * Bad frames (malformed Sphinx packets, unexpected frame types) one neighbour may send in a window before its link
   * is refused for a while (`PeerPenalties`); DEFAULT_PEER_PENALTIES when absent.
   */
  badFrames?: PeerPenaltyOptions;
  /**
   * A packet for a next hop this node does not know yet (a node that registered after this node's last topology
   * fetch, which clients may already route through) is held this long for a refresh of the topology, when
   * `onUnknownNextHop` is set (the node runtime sets it). Default 3,000 ms.
   */
  unknownHopHoldMs?: number;
  /** Packets held at once for a topology refresh; more are dropped as unknown_next_hop. Default 1,000. */
  unknownHopCapacity?: number;
}

export interface ReplayCheck {
  /** Whether the tag was seen before (checked before the MAC, so replays cost one X25519). */
  has(tag: Uint8Array): boolean;
  /** Records the tag of an accepted packet (only packets whose MAC verified, so junk cannot fill the cache). */
  add(tag: Uint8Array): void;
}

export interface MixCoreModules {
  log: Logger;
  transport: MixTransport;
  sphinx: SphinxCodec;
  sphinxKey: SphinxNodeKey;
  replay: ReplayCheck;
  random?: Random;
}

export type DropReason =
  | "malformed"
  | "replay"
  | "unknown_next_hop"
  | "excessive_delay"
  | "delay_queue_full"
  | "link_full"
  | "not_for_us"
  | "unexpected_frame";

export interface MixCounters {
  received: number;
  forwarded: number;
  dropped: Record<DropReason, number>;
  loopsSent: number;
  loopsReturned: number;
  /** Nodes of the directory's topology left out because their keys or address did not load (per refresh). */
  topologySkipped: number;
  /** Neighbours whose link was refused for sending too many bad frames. */
  peersRefused: number;
  /** Packets held for a topology refresh because their next hop was not known yet (sent or dropped afterwards). */
  heldForTopology: number;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/**
 * `length` bytes from the injected random source, 32 bits per draw (exact for the default `cryptoRandom`, whose
 * draws are 32 CSPRNG bits each), so a seeded source makes loops reproducible in tests.
 */
function randomBytesFrom(random: Random, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    let word = Math.floor(random() * 2 ** 32) >>> 0;
    for (let j = i; j < Math.min(i + 4, length); j++) {
      out[j] = word & 0xff;
      word >>>= 8;
    }
  }
  return out;
}

export class MixCore {
  private index: TopologyIndex = new TopologyIndex({ mixnodes: [], gateways: [] });
  private readonly queue: TimerQueue<{ nextHop: Uint8Array; packet: Uint8Array }>;
  private readonly loops: PoissonStream;
  readonly loopStats: LoopStats;
  private readonly log: Logger;
  private readonly random: Random;
  readonly counters: MixCounters = {
    received: 0,
    forwarded: 0,
    dropped: {
      malformed: 0,
      replay: 0,
      unknown_next_hop: 0,
      excessive_delay: 0,
      delay_queue_full: 0,
      link_full: 0,
      not_for_us: 0,
      unexpected_frame: 0,
    },
    loopsSent: 0,
    loopsReturned: 0,
    topologySkipped: 0,
    peersRefused: 0,
    heldForTopology: 0,
  };
  /** Packets waiting for a topology that knows their next hop, oldest first (see `unknownHopHoldMs`). */
  private held: { nextHop: Uint8Array; packet: Uint8Array; until: number }[] = [];
  private heldTimer: NodeJS.Timeout | undefined;
  /**
   * Called when a packet's next hop is not in the topology; the node runtime fetches the topology soon (rate-limited)
   * and the packet is held meanwhile. Unset (as in unit tests of the core alone), such packets are dropped at once.
   */
  onUnknownNextHop: (() => void) | undefined;
  private readonly penalties: PeerPenalties;
  /** What timer and stream callbacks threw, by site: caught, counted, logged, never the end of the process. */
  readonly errors: CaughtErrors;
  /** Interval counters for the directory's metrics report; reset by `takeInterval`. */
  private interval = { received: 0, sent: new Map<string, number>(), dropped: 0 };
  /** Called with final-hop results that are not this node's own loops (a gateway stores them). */
  onFinal: (result: Extract<ProcessedPacket, { kind: "final" }>) => void = () => {
    this.drop("not_for_us");
  };
  /** Traffic observation (`[observe]`, docs/privacy.md): set only when recording, so off costs one check. */
  observer: PacketObserver | undefined;

  constructor(
    private readonly options: MixCoreOptions,
    private readonly modules: MixCoreModules,
  ) {
    this.log = modules.log.child({ component: "mix-core" });
    this.random = modules.random ?? cryptoRandom;
    this.errors = new CaughtErrors(this.log);
    this.penalties = new PeerPenalties(options.badFrames ?? DEFAULT_PEER_PENALTIES);
    this.queue = new TimerQueue((item) => this.forward(item.nextHop, item.packet), {
      capacity: options.delayQueueCapacity,
      onError: this.errors.at("mix-core.forward"),
    });
    this.loops = new PoissonStream(
      options.loopRate,
      () => this.sendLoop(),
      this.random,
      this.errors.at("mix-core.loop"),
    );
    this.loopStats = new LoopStats({ timeoutMs: options.loopTimeoutMs });
  }

  setTopology(topology: Topology): void {
    this.index = new TopologyIndex(topology);
    if (this.held.length > 0) this.settleHeld();
  }

  get topology(): TopologyIndex {
    return this.index;
  }

  /** Packets waiting in the delay queue. */
  get queued(): number {
    return this.queue.size;
  }

  start(): void {
    if (this.options.layer !== "gateway") this.loops.start();
  }

  stop(): void {
    this.loops.stop();
    this.queue.stop();
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    this.held = [];
  }

  /**
   * Handles one MIX_PACKET frame body; `from` is the neighbour it came from (for the observer, and to hold a
   * malformed packet against that neighbour: see `penalize`).
   */
  handlePacket(packet: Uint8Array, from?: Uint8Array): void {
    if (this.observer && from) this.observer.packet(false, from, packet.length + 1, false);
    this.counters.received++;
    this.interval.received++;
    if (!isPayloadSize(packet.length - this.modules.sphinx.headerLength)) {
      // No honest neighbour forwards a packet of another size (a hop keeps the size; gateways check their clients'):
      // dropped before any Sphinx work, and held against the neighbour.
      this.drop("malformed");
      if (from) this.penalize(from);
      return;
    }
    let result: ProcessedPacket;
    let replayed = false;
    try {
      result = this.modules.sphinx.processPacket(this.modules.sphinxKey, packet, (tag) => {
        replayed = this.modules.replay.has(tag);
        return replayed;
      });
    } catch (error) {
      if (replayed) {
        this.log.debug("replayed packet dropped");
        this.drop("replay");
      } else {
        // Not held against the neighbour: a sender can make any layer after the first fail its MAC, and the honest
        // hop before it cannot tell (it only checks its own layer).
        this.log.debug({ err: (error as Error).message }, "malformed packet dropped");
        this.drop("malformed");
      }
      return;
    }
    this.modules.replay.add(result.replayTag);
    if (result.kind === "final") {
      if (Buffer.from(result.destination).equals(Buffer.from(this.modules.transport.localId))) {
        if (this.loopStats.recordReturned(hex(result.identifier))) this.counters.loopsReturned++;
        else this.drop("not_for_us");
        return;
      }
      this.onFinal(result);
      return;
    }
    if (result.delayMs > this.options.maxDelayMs) {
      this.drop("excessive_delay");
      return;
    }
    const hop = this.index.get(result.nextHop);
    if (result.delayMs <= 0) {
      if (hop) this.sendTo(hop, result.packet);
      else this.hold(result.nextHop, result.packet);
      return;
    }
    // A delayed packet for an unknown hop waits in the queue like any other (the topology is asked for now, and
    // `forward` looks the hop up again when the delay ends).
    if (!hop) this.onUnknownNextHop?.();
    if (!this.queue.push(result.delayMs, { nextHop: result.nextHop, packet: result.packet })) {
      this.drop("delay_queue_full");
    }
  }

  /** Handles any frame from a neighbour: only MIX_PACKET frames are for the core. */
  handleFrame(frame: Uint8Array, from?: Uint8Array): boolean {
    if (frame[0] !== FrameType.MIX_PACKET) return false;
    this.handlePacket(frame.subarray(1), from);
    return true;
  }

  /**
   * Holds one bad frame against the neighbour that sent it; past the budget (`badFrames`) its link is refused for a
   * while, so one authenticated peer cannot keep the node busy, and its memory high, with garbage.
   */
  penalize(from: Uint8Array): void {
    const peer = hex(from);
    if (!this.penalties.record(peer)) return;
    this.counters.peersRefused++;
    const { limit, windowMs, banMs } = this.penalties.options;
    this.log.warn({ peer, limit, windowMs, banMs }, "neighbour sent too many bad frames, link refused");
    this.modules.transport.refuse?.(from, banMs);
  }

  /**
   * Sends a packet on to a node of the topology at once (used after the delay, and by gateways for clients); one for
   * a node not in the topology is held for a refresh (`hold`), and `false` is returned only when it is dropped.
   */
  forward(nextHop: Uint8Array, packet: Uint8Array): boolean {
    // Looked up again when a delay ends: the node may have left the topology meanwhile.
    const hop = this.index.get(nextHop);
    if (!hop) return this.hold(nextHop, packet);
    return this.sendTo(hop, packet);
  }

  /** Packets held for a topology refresh (see `unknownHopHoldMs`). */
  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Holds a packet whose next hop is not in the topology until a refresh names it or `unknownHopHoldMs` passes, and
   * asks for the refresh; dropped as unknown_next_hop at once when nobody refreshes or the hold is full.
   */
  private hold(nextHop: Uint8Array, packet: Uint8Array): boolean {
    const ask = this.onUnknownNextHop;
    if (!ask || this.held.length >= (this.options.unknownHopCapacity ?? 1000)) {
      this.drop("unknown_next_hop");
      return false;
    }
    const holdMs = this.options.unknownHopHoldMs ?? 3000;
    this.held.push({ nextHop, packet, until: Date.now() + holdMs });
    this.counters.heldForTopology++;
    this.heldTimer ??= this.settleLater(holdMs);
    ask();
    return true;
  }

  /** Sends the held packets whose next hop is now known, drops those held past their time, waits for the rest. */
  private settleHeld(): void {
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    const now = Date.now();
    const waiting: typeof this.held = [];
    for (const item of this.held) {
      const hop = this.index.get(item.nextHop);
      if (hop) this.sendTo(hop, item.packet);
      else if (item.until <= now) this.drop("unknown_next_hop");
      else waiting.push(item);
    }
    this.held = waiting;
    const first = waiting[0];
    if (first) this.heldTimer = this.settleLater(Math.max(1, first.until - now));
  }

  private settleLater(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      try {
        this.settleHeld();
      } catch (error) {
        this.errors.record("mix-core.held", error);
      }
    }, ms);
    timer.unref();
    return timer;
  }

  private sendTo(hop: IndexedHop, packet: Uint8Array): boolean {
    if (!this.modules.transport.send({ id: hop.identityKey, address: hop.address }, encodeMixPacket(packet))) {
      this.drop("link_full");
      return false;
    }
    this.observer?.packet(true, hop.identityKey, packet.length + 1, false);
    this.counters.forwarded++;
    this.interval.sent.set(hop.id, (this.interval.sent.get(hop.id) ?? 0) + 1);
    return true;
  }

  /** The counters since the last call, for a metrics report. */
  takeInterval(): { received: number; sent: Record<string, number>; dropped: number } {
    const out = {
      received: this.interval.received,
      sent: Object.fromEntries(this.interval.sent),
      dropped: this.interval.dropped,
    };
    this.interval = { received: 0, sent: new Map(), dropped: 0 };
    return out;
  }

  drop(reason: DropReason): void {
    this.counters.dropped[reason]++;
    this.interval.dropped++;
  }

  private sendLoop(): void {
    const self = this.self();
    if (!self) return;
    let route: ReturnType<typeof chooseMixLoopRoute>;
    try {
      route = chooseMixLoopRoute(this.index, self, { random: this.random });
    } catch {
      return; // no complete topology yet
    }
    const identifier = randomBytesFrom(this.random, 16);
    const message = randomBytesFrom(this.random, this.options.payloadSize - this.modules.sphinx.payloadOverhead);
    const packet = this.modules.sphinx.createPacket({
      route: route.map((h) => ({ address: h.identityKey, publicKey: h.sphinxKey })),
      delaysMs: route.map(() => sampleExponential(this.options.loopMeanDelayMs, this.random)),
      destination: self.identityKey,
      identifier,
      message,
      payloadSize: this.options.payloadSize,
    });
    const first = route[0];
    if (!first) return;
    this.loopStats.recordSent(
      hex(identifier),
      route.slice(0, -1).map((h) => hex(h.identityKey)),
    );
    this.counters.loopsSent++;
    this.forward(first.identityKey, packet);
  }

  private self(): MixNodeInfo | undefined {
    const me = this.index.get(this.modules.transport.localId);
    if (!me || me.layer === "gateway") return undefined;
    return { ...me, layer: me.layer };
  }
}
