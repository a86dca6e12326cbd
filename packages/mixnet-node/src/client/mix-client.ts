import type { DirectoryClient } from "@nym-ts/directory-client";
import { createDirectoryClient } from "@nym-ts/directory-client";
import {
  type ClientAddress,
  cryptoRandom,
  DEFAULT_PAYLOAD_SIZE,
  formatAddress,
  LoopStats,
  type MailboxMode,
  MixnetError,
  type MixTransport,
  nymSphinx,
  x25519FromSecret,
} from "@nym-ts/mixnet";
import { CaughtErrors } from "../caught-errors.js";
import { ed25519PublicFromSeed } from "../identity.js";
import { createLibp2pTransport } from "../libp2p-transport.js";
import type {
  ClientStats,
  MixClientModules,
  MixClientOptions,
  ReceivedMessage,
  ReceivedReply,
  SendOptions,
  SendProgress,
  TrafficOptions,
} from "./client-types.js";
import { CoverTraffic } from "./cover-traffic.js";
import { GatewayLink } from "./gateway-link.js";
import { Receiver } from "./receiving.js";
import { baseAckTimeoutMs, RoutePlanner, Sender } from "./sending.js";

export type {
  ClientStats,
  DeliveryState,
  MixClientModules,
  MixClientOptions,
  ReceivedMessage,
  ReceivedReply,
  SendOptions,
  SendProgress,
  TrafficOptions,
} from "./client-types.js";
export { DEFAULT_DELIVERY_TIMEOUT_MS } from "./sending.js";

export const DEFAULT_TRAFFIC: TrafficOptions = {
  lambdaP: 20,
  lambdaD: 2,
  lambdaL: 2,
  meanDelayMs: 20,
  payloadSize: DEFAULT_PAYLOAD_SIZE,
  ackTimeoutFactor: 1.5,
  ackTimeoutExtraMs: 1500,
  maxAttempts: 10,
};

const REGISTER_TIMEOUT_MS = 10_000;

/**
 * The Loopix client: fetches the topology, keeps one authenticated link to its gateway, and sends three Poisson
 * streams (real-or-drop at lambdaP, drop at lambdaD, loop at lambdaL). Messages are split into fragments, each
 * sealed end to end to the recipient and carrying a SURB for its ack; an unacked fragment is sent again on a fresh
 * route. An anonymous sender attaches reply SURBs; the recipient answers through them without learning who asked.
 *
 * This class only wires its parts: `GatewayLink` (topology, gateway link), `Sender` (routes, fragments, acks,
 * retransmission; sending.ts), `Receiver` (gateway frames, reassembly, SURB replies; receiving.ts) and
 * `CoverTraffic` (the Poisson streams; cover-traffic.ts).
 */
export class MixClient {
  readonly address: ClientAddress;
  readonly transport: MixTransport;
  readonly loopStats: LoopStats;
  readonly stats: ClientStats = {
    realSent: 0,
    dropsSent: 0,
    loopsSent: 0,
    loopsReturned: 0,
    fragmentsAcked: 0,
    fragmentsStored: 0,
    coverAcksReturned: 0,
    retransmissions: 0,
    messagesReceived: 0,
    repliesReceived: 0,
    badPackets: 0,
    queued: 0,
    topologySkipped: 0,
    callbackErrors: 0,
  };
  /** What timer and stream callbacks threw, by site: caught, counted in `stats.callbackErrors`, logged. */
  readonly errors: CaughtErrors;
  private readonly link: GatewayLink;
  private readonly sender: Sender;
  private readonly receiver: Receiver;
  private readonly cover: CoverTraffic;
  private topologyTimer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    private readonly options: MixClientOptions,
    modules: MixClientModules,
  ) {
    const traffic = { ...DEFAULT_TRAFFIC, ...options.traffic };
    // `component`, not `module`: the caller's logger may carry a `module` binding already (one key per object).
    const log = modules.log.child({ component: "mix-client" });
    const caught = new CaughtErrors(log);
    this.errors = caught;
    const onError = (site: string) => (error: unknown) => {
      this.stats.callbackErrors++;
      caught.record(site, error);
    };
    const sphinx = modules.sphinx ?? nymSphinx;
    const random = modules.random ?? cryptoRandom;
    const directory: DirectoryClient =
      modules.directory ?? createDirectoryClient({ baseUrl: options.directoryUrl, timeoutMs: 5000 });
    this.transport = modules.transport ?? createLibp2pTransport({ identitySeed: options.identitySeed, listen: [] });
    const encryption = x25519FromSecret(options.encryptionSecret);
    this.address = {
      identityKey: ed25519PublicFromSeed(options.identitySeed),
      encryptionKey: encryption.publicKey,
      gateway: new Uint8Array(Buffer.from(options.gateway, "hex")),
    };
    if (this.address.gateway.length !== 32) throw new RangeError("gateway must be a 32-byte hex identity key");
    this.loopStats = new LoopStats({ timeoutMs: baseAckTimeoutMs(traffic) });

    const self = this.address;
    const { stats, loopStats } = this;
    this.link = new GatewayLink({
      transport: this.transport,
      directory,
      gateway: self.gateway,
      gatewayHex: options.gateway,
      log,
      onSkipped: (n) => {
        stats.topologySkipped += n;
      },
    });
    const link = this.link;
    const planner = new RoutePlanner({ link, sphinx, random, traffic, loopStats, self });
    this.sender = new Sender({
      planner,
      link,
      self,
      traffic,
      sphinx,
      stats,
      loopStats,
      log,
      onReplySurb: (identifier, messageId, recoveryKeys) =>
        this.receiver.expectReply(identifier, messageId, recoveryKeys),
      onError: onError("mix-client.retransmit"),
    });
    const queue = this.sender.queue;
    this.cover = new CoverTraffic({
      planner,
      queue,
      topology: () => link.index,
      send: (frame) => link.send(frame),
      self,
      traffic,
      stats,
      loopStats,
      random,
      onError,
    });
    this.receiver = new Receiver({
      link,
      queue,
      planner,
      encryption,
      sphinx,
      stats,
      log,
      isAck: (identifier, payload) => this.sender.handleAck(identifier, payload),
      isLoop: (identifier) => this.cover.loopReturned(identifier),
      onError: onError("mix-client.pull"),
    });
    // One handler on the transport (a wrapping transport may count per handler): the link sees registration answers.
    this.transport.onFrame((frame, from) => {
      link.onFrame(frame, from);
      this.receiver.onFrame(frame, from);
    });
    this.transport.onPeerConnected((peer) => {
      if (this.started && link.isGateway(peer)) link.register(this.mailboxMode);
    });
  }

  /** Text form of this client's address, to give to correspondents. */
  get addressText(): string {
    return formatAddress(this.address);
  }

  /** Most bytes of message per data fragment. */
  get fragmentCapacity(): number {
    return this.sender.fragmentCapacity;
  }

  onMessage(handler: (message: ReceivedMessage) => void): void {
    this.receiver.onMessage(handler);
  }

  onReply(handler: (reply: ReceivedReply) => void): void {
    this.receiver.onReply(handler);
  }

  async start(): Promise<void> {
    await this.transport.start();
    await this.link.refreshTopology();
    if (!this.link.known) {
      throw new MixnetError("MIXNET_ERROR_NO_ROUTE", "the gateway is not in the directory's topology");
    }
    this.started = true;
    this.sender.queue.started = true;
    const registered = this.receiver.registration();
    this.link.register(this.mailboxMode);
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        registered,
        new Promise((_, reject) => {
          timeout = setTimeout(
            () => reject(new MixnetError("MIXNET_ERROR_NO_ROUTE", "gateway did not answer")),
            REGISTER_TIMEOUT_MS,
          );
          timeout.unref();
        }),
      ]);
    } finally {
      clearTimeout(timeout);
    }
    this.cover.start();
    this.topologyTimer = setInterval(() => {
      void this.link.refreshTopology();
    }, this.options.topologyRefreshMs ?? 30_000);
    this.topologyTimer.unref();
    if (this.mailboxMode === "pull") this.receiver.startPulling(this.options.pullIntervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.sender.queue.started = false;
    this.cover.stop();
    if (this.topologyTimer) clearInterval(this.topologyTimer);
    this.topologyTimer = undefined;
    this.receiver.stopPulling();
    this.link.stopRegistering();
    this.sender.stop();
    await this.transport.stop();
  }

  /**
   * Waits (up to `timeoutMs`) until every queued packet has left on the Poisson stream: acks of received fragments
   * included, so a client that exits right after receiving does not make its senders retransmit.
   */
  drain(timeoutMs = 5000): Promise<boolean> {
    return this.sender.queue.drain(timeoutMs);
  }

  /** Asks the gateway for stored messages now (pull mode, or to drain a mailbox once). */
  pull(max = 100): void {
    this.receiver.pull(max);
  }

  refreshTopology(): Promise<void> {
    return this.link.refreshTopology();
  }

  /**
   * Sends a message and follows it: `options.onProgress` sees it handed to our gateway (`sent`), stored at the
   * recipient's gateway (`stored`: that gateway's acks) and `delivered` (the recipient's acks). Resolves when every
   * fragment is delivered. Rejects with MIXNET_ERROR_NOT_FETCHED when every fragment is stored but the recipient does
   * not fetch them within `options.deliveryTimeoutMs`, and with MIXNET_ERROR_LOST when a fragment got no ack at all
   * after `traffic.maxAttempts` sends or the recipient's gateway answered that it dropped it (not registered there,
   * mailbox full); the error's `details` is the last `SendProgress` and a `reason`, "no-ack" or "dropped". A fragment
   * stored at the recipient's gateway is not retransmitted, only probed slowly until delivered. Returns the message
   * id (hex) through `onQueued`, for matching replies. Sending to this client's own address works: the message comes back through the mixnet to `onMessage`.
   */
  send(
    recipient: ClientAddress | string,
    data: Uint8Array,
    options: SendOptions = {},
    onQueued?: (messageId: string) => void,
  ): Promise<SendProgress> {
    return this.sender.send(recipient, data, options, onQueued);
  }

  /** Where a message still in flight stands (undefined once its send settled). */
  sendProgress(messageId: string): SendProgress | undefined {
    return this.sender.progress(messageId);
  }

  /** Answers a received message through its reply SURBs (one packet per SURB); throws when there are too few. */
  reply(to: ReceivedMessage, data: Uint8Array): void {
    this.receiver.reply(to, data);
  }

  private get mailboxMode(): MailboxMode {
    return this.options.mailboxMode ?? "push";
  }
}
