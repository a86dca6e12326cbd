import type { Logger } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import type { ClientAddress, MailboxMode, MixTransport, Random, SphinxCodec } from "@nym-ts/mixnet";

/** The public option, message and statistics types of `MixClient` (re-exported by mix-client.ts). */
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
  /**
   * Once every fragment is stored at the recipient's gateway, how long to wait for the recipient to fetch and
   * acknowledge it before the send fails with MIXNET_ERROR_NOT_FETCHED (default 60 s).
   */
  deliveryTimeoutMs?: number;
  /** Called whenever the message's progress changes (a fragment sent, stored, delivered, or retransmitted). */
  onProgress?: (progress: SendProgress) => void;
}

/**
 * Where a message stands, its least advanced fragment deciding: `queued` (waiting for a Poisson slot), `sent` (every
 * fragment handed to our gateway), `stored` (every fragment acknowledged by the recipient's gateway: it waits in the
 * recipient's mailbox), `delivered` (every fragment acknowledged by the recipient).
 */
export type DeliveryState = "queued" | "sent" | "stored" | "delivered";

export interface SendProgress {
  /** Hex id of the message. */
  messageId: string;
  state: DeliveryState;
  fragments: number;
  /** Fragments handed to our gateway at least once. */
  sent: number;
  /** Fragments the recipient's gateway (or the recipient) acknowledged. */
  stored: number;
  /** Fragments the recipient acknowledged. */
  delivered: number;
  retransmissions: number;
  /** Since `send` was called. */
  elapsedMs: number;
}

export interface ClientStats {
  realSent: number;
  dropsSent: number;
  loopsSent: number;
  loopsReturned: number;
  /** Fragments acknowledged by their recipient. */
  fragmentsAcked: number;
  /** Fragments acknowledged as stored by the recipient's gateway (or by the recipient). */
  fragmentsStored: number;
  /** Gateway acks of our loop and drop cover packets (recognised and dropped). */
  coverAcksReturned: number;
  retransmissions: number;
  messagesReceived: number;
  repliesReceived: number;
  badPackets: number;
  queued: number;
  /** Topology entries left out because their keys or address did not load (counted per refresh). */
  topologySkipped: number;
  /** Errors thrown by timer and stream callbacks (cover traffic, retransmissions, pulls), caught and counted. */
  callbackErrors: number;
}
