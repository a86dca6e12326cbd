import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  type ClientAddress,
  encodeEnvelope,
  idHex,
  type LoopStats,
  PoissonStream,
  type Random,
  type TopologyIndex,
} from "@nym-ts/mixnet";
import type { ClientStats, TrafficOptions } from "./client-types.js";
import type { OutQueue, RoutePlanner } from "./sending.js";

/**
 * The client's three Loopix Poisson streams: real-or-drop at lambdaP (the next queued real packet, or a drop in its
 * place), drop cover packets at lambdaD (to a random gateway's random address, discarded there), and loop cover
 * packets at lambdaL (back to this client, whose return times feed the per-node loop statistics). Loop and drop
 * packets carry a gateway-ack SURB as a data fragment does, and the gateway's ack comes back too.
 */
export class CoverTraffic {
  private readonly streams: PoissonStream[] = [];
  /** Keys the identifiers of our cover packets' gateway-ack SURBs, so they are told apart without remembering each. */
  private readonly coverAckKey = randomBytes(32);

  constructor(
    private readonly deps: {
      planner: RoutePlanner;
      queue: OutQueue;
      /** The current topology (read at every tick: it is replaced on refresh). */
      topology: () => TopologyIndex;
      send: (frame: Uint8Array) => void;
      self: ClientAddress;
      traffic: TrafficOptions;
      stats: ClientStats;
      loopStats: LoopStats;
      random: Random;
      /** The error handler of one stream (`site` names it): a tick that throws is counted there, never rethrown. */
      onError: (site: string) => (error: unknown) => void;
    },
  ) {}

  start(): void {
    const { traffic: t, random, onError } = this.deps;
    if (this.streams.length > 0) return;
    if (t.lambdaP > 0) {
      this.streams.push(new PoissonStream(t.lambdaP, () => this.realOrDrop(), random, onError("cover.real-or-drop")));
    }
    this.streams.push(new PoissonStream(t.lambdaD, () => this.sendDrop(), random, onError("cover.drop")));
    this.streams.push(new PoissonStream(t.lambdaL, () => this.sendLoop(), random, onError("cover.loop")));
    for (const s of this.streams) s.start();
  }

  stop(): void {
    for (const s of this.streams) s.stop();
    this.streams.length = 0;
  }

  /**
   * A stored packet's identifier: true (and counted) when it is one of our loops coming home, or a gateway's
   * acknowledgement of one of our loop or drop cover packets (they carry a gateway-ack SURB as data fragments do, so
   * no gateway can tell them apart).
   */
  loopReturned(identifier: string): boolean {
    if (this.deps.loopStats.recordReturned(identifier)) {
      this.deps.stats.loopsReturned++;
      return true;
    }
    if (!this.isCoverAckId(identifier)) return false;
    this.deps.stats.coverAcksReturned++;
    return true;
  }

  /** A gateway-ack identifier for cover: 8 random bytes and their 8-byte HMAC under this client's cover-ack key. */
  private coverAckId(): Uint8Array {
    const nonce = randomBytes(8);
    const tag = createHmac("sha256", this.coverAckKey).update(nonce).digest().subarray(0, 8);
    return new Uint8Array(Buffer.concat([nonce, tag]));
  }

  private isCoverAckId(identifier: string): boolean {
    if (identifier.length !== 32) return false;
    const id = Buffer.from(identifier, "hex");
    const tag = createHmac("sha256", this.coverAckKey).update(id.subarray(0, 8)).digest().subarray(0, 8);
    return timingSafeEqual(tag, id.subarray(8, 16));
  }

  /** A data fragment's envelope: a gateway-ack SURB back to us, random bytes where the sealed data goes. */
  private coverMessage(): Uint8Array {
    const planner = this.deps.planner;
    const gatewayAck = planner.surbToSelf(this.coverAckId(), planner.suspects());
    return encodeEnvelope(gatewayAck.surb, new Uint8Array(randomBytes(planner.envelopeCapacity)));
  }

  /** One lambdaP slot: the next real packet, or a drop cover packet in its place. */
  private realOrDrop(): void {
    if (!this.deps.queue.sendNext()) this.sendDrop();
  }

  private sendDrop(): void {
    const gateways = this.deps.topology().topology.gateways;
    if (gateways.length === 0) return;
    try {
      const gw = gateways[Math.floor(this.deps.random() * gateways.length)]!;
      const route = this.deps.planner.route(gw.identityKey);
      // The destination is no registered client: its gateway drops the packet and answers the envelope's SURB.
      this.deps.send(
        this.deps.planner.forwardFrame(
          route,
          new Uint8Array(randomBytes(32)),
          new Uint8Array(randomBytes(16)),
          this.coverMessage(),
        ),
      );
      this.deps.stats.dropsSent++;
    } catch {
      // no complete topology: nothing to send
    }
  }

  private sendLoop(): void {
    try {
      const planner = this.deps.planner;
      const identifier = new Uint8Array(randomBytes(16));
      const route = planner.route(this.deps.self.gateway);
      // The envelope of a data fragment: a real gateway-ack SURB in front, random bytes where the sealed data goes.
      const frame = planner.forwardFrame(route, this.deps.self.identityKey, identifier, this.coverMessage());
      this.deps.loopStats.recordSent(
        idHex(identifier),
        route.slice(0, 3).map((h) => idHex(h.identityKey)),
      );
      this.deps.send(frame);
      this.deps.stats.loopsSent++;
    } catch {
      // no complete topology
    }
  }
}
