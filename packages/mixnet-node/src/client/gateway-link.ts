import type { Logger } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import {
  decodeError,
  encodeRegister,
  FrameType,
  type Hop,
  type MailboxMode,
  type MixTransport,
  TopologyIndex,
} from "@nym-ts/mixnet";
import { hostPortToMultiaddr, type SkippedNode, topologyFromDirectory } from "../directory-topology.js";

/** How often an unanswered registration is looked at, and how many times before the link stops trying. */
export const REGISTER_CHECK_MS = 1000;
export const REGISTER_CHECKS = 12;
/** An unanswered registration on a live link is sent again after this long. */
export const REGISTER_RESEND_MS = 3000;

/**
 * The client's view of the network: the directory's topology (refreshed with ETags) and the one link to its own
 * gateway, through which every frame leaves.
 */
export class GatewayLink {
  index = new TopologyIndex({ mixnodes: [], gateways: [] });
  private hop: Hop | undefined;
  private etag: string | undefined;
  /** The registration waiting for the gateway's REGISTERED (or its "gateway full" ERROR). */
  private pending: { frame: Uint8Array; sentAt: number; checks: number } | undefined;
  private registerTimer: NodeJS.Timeout | undefined;
  /** Registration frames sent again because the first was lost (its dial failed) or not answered. */
  registerResends = 0;

  constructor(
    private readonly deps: {
      transport: MixTransport;
      directory: DirectoryClient;
      /** Our gateway's identity key, raw and hex. */
      gateway: Uint8Array;
      gatewayHex: string;
      log: Logger;
      /** How many topology entries a refresh left out (keys or address that do not load). */
      onSkipped?: (count: number) => void;
    },
  ) {}

  /** Every frame the client receives (MixClient hands them on): a registration answer ends the re-sending. */
  onFrame(frame: Uint8Array, from: Uint8Array): void {
    if (this.pending === undefined || !this.isGateway(from)) return;
    if (frame[0] === FrameType.REGISTERED || (frame[0] === FrameType.ERROR && isGatewayFull(frame))) {
      this.stopRegistering();
    }
  }

  /** True once the gateway was found in the topology. */
  get known(): boolean {
    return this.hop !== undefined;
  }

  isGateway(peer: Uint8Array): boolean {
    return Buffer.from(peer).equals(Buffer.from(this.deps.gateway));
  }

  async refreshTopology(): Promise<void> {
    try {
      const result = await this.deps.directory.getTopology(this.etag);
      if (!result.modified) return;
      this.etag = result.etag;
      const skipped: SkippedNode[] = [];
      this.index = new TopologyIndex(topologyFromDirectory(result.topology, (node) => skipped.push(node)));
      if (skipped.length > 0) {
        this.deps.onSkipped?.(skipped.length);
        this.deps.log.warn({ skipped }, "topology nodes with unusable keys or addresses skipped");
      }
      // Our gateway only when its keys loaded: an unusable entry leaves the previous hop (or none) in place.
      const gw = result.topology.gateways.find((g) => g.identityKey === this.deps.gatewayHex);
      if (gw && this.index.gateway(this.deps.gateway) !== undefined) {
        this.hop = {
          identityKey: this.deps.gateway,
          sphinxKey: new Uint8Array(Buffer.from(gw.sphinxKey, "hex")),
          address: hostPortToMultiaddr(gw.clientAddress),
        };
      }
    } catch (error) {
      this.deps.log.warn({ err: (error as Error).message }, "topology refresh failed");
    }
  }

  /** Sends one frame to the gateway; dropped while the gateway is unknown. */
  send(frame: Uint8Array): void {
    const gw = this.hop;
    if (!gw) return;
    this.deps.transport.send({ id: gw.identityKey, address: gw.address }, frame);
  }

  /**
   * Registers with the gateway, and keeps at it until the gateway answers: the frame is sent again when it was
   * dropped (the link's dial failed: a gateway turning connections away, a restart) or, on a live link, when no
   * answer came within REGISTER_RESEND_MS; after REGISTER_CHECKS checks a second apart the link gives up (the
   * caller's own timeout reports it). A frame still queued for a dial in progress is not sent twice.
   */
  register(mode: MailboxMode): void {
    const frame = encodeRegister(mode);
    this.send(frame);
    this.pending = { frame, sentAt: Date.now(), checks: 0 };
    if (this.registerTimer) return;
    this.registerTimer = setInterval(() => this.checkRegistration(), REGISTER_CHECK_MS);
    this.registerTimer.unref();
  }

  /** Stops re-sending an unanswered registration (answered, given up, or the client stops). */
  stopRegistering(): void {
    this.pending = undefined;
    if (this.registerTimer) clearInterval(this.registerTimer);
    this.registerTimer = undefined;
  }

  private checkRegistration(): void {
    const pending = this.pending;
    if (!pending || ++pending.checks > REGISTER_CHECKS) {
      this.stopRegistering();
      return;
    }
    const { transport, gateway } = this.deps;
    if (transport.queuedFrames(gateway) > 0) {
      // Still waiting for its dial: the answer's clock starts when the frame leaves.
      pending.sentAt = Date.now();
      return;
    }
    if (transport.isConnected(gateway) && Date.now() - pending.sentAt < REGISTER_RESEND_MS) return;
    this.registerResends++;
    this.deps.log.debug({ checks: pending.checks }, "registration unanswered, sent again");
    this.send(pending.frame);
    pending.sentAt = Date.now();
  }
}

/** The gateway's "no more client registrations" answer (code 2): registering again will not help. */
function isGatewayFull(frame: Uint8Array): boolean {
  try {
    return decodeError(frame).code === 2;
  } catch {
    return false;
  }
}
