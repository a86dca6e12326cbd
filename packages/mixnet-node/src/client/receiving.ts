import type { Logger } from "@nym-ts/common";
import {
  decodeDeliver,
  decodeEnvelope,
  decodeError,
  decodeRegistered,
  encodeDelivered,
  encodePull,
  FrameType,
  guarded,
  idHex,
  MixnetError,
  openSealed,
  Reassembler,
  type SphinxCodec,
  splitMessage,
  type X25519KeyPair,
} from "@nym-ts/mixnet";
import type { ClientStats, ReceivedMessage, ReceivedReply } from "./client-types.js";
import type { GatewayLink } from "./gateway-link.js";
import { DATA_HEADER, decodeMessageBody, encodeAck, Kind, putU16, REPLY_HEADER, u16 } from "./message-format.js";
import type { OutQueue, RoutePlanner } from "./sending.js";

/**
 * The client's receiving side: frames from its gateway (pushed, or pulled on a timer), each stored packet told
 * apart by its identifier (an ack of ours, a returning loop, a reply through one of our SURBs, or a data fragment
 * sealed to us), fragments acked and reassembled into messages, and answers through the SURBs a message carried.
 */
export class Receiver {
  /** Reply SURB identifier (hex) -> our message id and the keys to open the reply. */
  private readonly replySurbs = new Map<string, { messageId: string; recoveryKeys: Uint8Array }>();
  private readonly reassembler = new Reassembler();
  private readonly replyReassembler = new Reassembler();
  private readonly messageHandlers: ((message: ReceivedMessage) => void)[] = [];
  private readonly replyHandlers: ((reply: ReceivedReply) => void)[] = [];
  private registered: (() => void) | undefined;
  private pullTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      link: GatewayLink;
      queue: OutQueue;
      planner: RoutePlanner;
      encryption: X25519KeyPair;
      sphinx: SphinxCodec;
      stats: ClientStats;
      log: Logger;
      /** True when the identifier was one of our ack SURBs (the sending side consumes it). */
      isAck: (identifier: string, payload: Uint8Array) => boolean;
      /** True when the identifier was one of our loop cover packets coming home. */
      isLoop: (identifier: string) => boolean;
      /** What a pull tick threw (caught and counted, never rethrown from the timer). */
      onError: (error: unknown) => void;
    },
  ) {}

  onMessage(handler: (message: ReceivedMessage) => void): void {
    this.messageHandlers.push(handler);
  }

  onReply(handler: (reply: ReceivedReply) => void): void {
    this.replyHandlers.push(handler);
  }

  /** Resolves at the gateway's next REGISTERED frame; call before sending the register frame. */
  registration(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.registered = resolve;
    });
  }

  /** A reply SURB we attached to a message: what comes back through it is a reply to `messageId`. */
  expectReply(identifier: Uint8Array, messageId: string, recoveryKeys: Uint8Array): void {
    this.replySurbs.set(idHex(identifier), { messageId, recoveryKeys });
  }

  /** Asks the gateway for up to `max` stored packets. */
  pull(max = 100): void {
    this.deps.link.send(encodePull(max));
  }

  /** Pull mode: asks the gateway every `intervalMs` until stopped. */
  startPulling(intervalMs: number): void {
    this.stopPulling();
    this.pullTimer = setInterval(
      guarded(() => this.pull(100), this.deps.onError),
      intervalMs,
    );
    this.pullTimer.unref();
  }

  stopPulling(): void {
    if (this.pullTimer) clearInterval(this.pullTimer);
    this.pullTimer = undefined;
  }

  /** Answers a received message through its reply SURBs (one packet per SURB); throws when there are too few. */
  reply(to: ReceivedMessage, data: Uint8Array): void {
    const capacity = this.deps.planner.messageCapacity - REPLY_HEADER;
    const fragments = splitMessage(new Uint8Array(Buffer.from(to.id, "hex")), data, capacity);
    if (fragments.length > to.surbs.length) {
      throw new MixnetError(
        "MIXNET_ERROR_MESSAGE_TOO_LONG",
        `reply needs ${fragments.length} SURBs, ${to.surbs.length} left`,
      );
    }
    for (const f of fragments) {
      const surb = to.surbs.shift() as Uint8Array;
      const plain = new Uint8Array(REPLY_HEADER + f.data.length);
      plain[0] = Kind.REPLY;
      plain.set(f.messageId, 1);
      putU16(plain, 17, f.index);
      putU16(plain, 19, f.total);
      plain.set(f.data, REPLY_HEADER);
      this.deps.queue.push({ frame: this.deps.planner.surbFrame(surb, plain) });
    }
  }

  /** A frame from a peer; only our gateway's are read. Never throws: a bad frame is counted and dropped. */
  onFrame(frame: Uint8Array, from: Uint8Array): void {
    if (!this.deps.link.isGateway(from)) return;
    try {
      switch (frame[0]) {
        case FrameType.REGISTERED:
          decodeRegistered(frame);
          this.registered?.();
          return;
        case FrameType.DELIVER: {
          const items = decodeDeliver(frame);
          for (const item of items) this.onStored(item.data);
          if (items.length > 0) this.deps.link.send(encodeDelivered(items.map((i) => i.id)));
          return;
        }
        case FrameType.ERROR:
          this.deps.log.warn({ error: decodeError(frame).message }, "gateway refused a request");
          return;
        default:
          this.deps.stats.badPackets++;
      }
    } catch (error) {
      this.deps.stats.badPackets++;
      this.deps.log.debug({ err: (error as Error).message }, "bad frame from gateway");
    }
  }

  /** One stored packet: identifier(16) ‖ final payload. */
  private onStored(data: Uint8Array): void {
    const stats = this.deps.stats;
    if (data.length < 17) {
      stats.badPackets++;
      return;
    }
    const idText = idHex(data.subarray(0, 16));
    const payload = data.subarray(16);
    try {
      if (this.deps.isAck(idText, payload)) return;
      if (this.deps.isLoop(idText)) return;
      const reply = this.replySurbs.get(idText);
      if (reply) {
        this.replySurbs.delete(idText);
        this.onReplyFragment(this.deps.sphinx.openSurbReply(reply.recoveryKeys, payload));
        return;
      }
      // A forward message: the envelope's gateway-ack SURB was the gateway's to use; the body is sealed to us.
      const { body } = decodeEnvelope(this.deps.sphinx.decodePayload(payload));
      this.onDataFragment(openSealed(this.deps.encryption, body));
    } catch (error) {
      stats.badPackets++;
      this.deps.log.debug({ err: (error as Error).message }, "undecodable packet dropped");
    }
  }

  private onDataFragment(plain: Uint8Array): void {
    if (plain.length < DATA_HEADER || plain[0] !== Kind.DATA) {
      throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "not a fragment");
    }
    const messageId = plain.slice(1, 17);
    const index = u16(plain, 17);
    const total = u16(plain, 19);
    const surbLength = u16(plain, 21);
    if (surbLength !== 0 && surbLength !== this.deps.sphinx.surbLength) {
      throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "bad ack SURB length");
    }
    if (plain.length < DATA_HEADER + surbLength) {
      throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "fragment truncated");
    }
    // Ack first, also for duplicates: the sender retransmits because an earlier ack was lost.
    if (surbLength > 0) {
      const surb = plain.subarray(DATA_HEADER, DATA_HEADER + surbLength);
      this.deps.queue.push({ frame: this.deps.planner.surbFrame(surb, encodeAck(messageId, index)) });
    }
    const result = this.reassembler.add({ messageId, index, total, data: plain.subarray(DATA_HEADER + surbLength) });
    if (result.status !== "complete") return;
    const body = decodeMessageBody(result.message, this.deps.sphinx.surbLength);
    const message: ReceivedMessage = { id: idHex(messageId), ...body };
    this.deps.stats.messagesReceived++;
    for (const handler of this.messageHandlers) handler(message);
  }

  private onReplyFragment(plain: Uint8Array): void {
    if (plain.length < REPLY_HEADER || plain[0] !== Kind.REPLY) {
      throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "not a reply");
    }
    const messageId = plain.slice(1, 17);
    // Replies have their own reassembler, so they never mix with forward messages that share an id.
    const result = this.replyReassembler.add({
      messageId,
      index: u16(plain, 17),
      total: u16(plain, 19),
      data: plain.subarray(REPLY_HEADER),
    });
    if (result.status !== "complete") return;
    this.deps.stats.repliesReceived++;
    for (const handler of this.replyHandlers) handler({ inReplyTo: idHex(messageId), data: result.message });
  }
}
