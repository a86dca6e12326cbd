import { HEADER_LENGTH, PayloadSize } from "@nym-ts/sphinx";
import { MixnetError } from "./errors.js";

/**
 * Link frames: the first byte says what follows. Between nodes only MIX_PACKET travels; between a client and its
 * gateway the others do. Every decoder checks lengths and throws `MixnetError` (`MIXNET_ERROR_BAD_FRAME`) on anything
 * malformed, which the daemons count and drop.
 */
export const FrameType = {
  /** A Sphinx packet for the receiving node to process. */
  MIX_PACKET: 0x01,
  /** Client -> gateway: `firstHop(32) ‖ sphinx packet`, to be sent on into the mixnet. */
  CLIENT_FORWARD: 0x02,
  /** Client -> gateway: open (or reopen) this client's mailbox; `mode(1)`: 0 pull, 1 push. */
  CLIENT_REGISTER: 0x03,
  /** Gateway -> client: `status(1)` 0 ok, then the count of stored messages u32. */
  REGISTERED: 0x04,
  /** Gateway -> client: `count u16`, then `id u64 ‖ len u16 ‖ bytes` per stored message. */
  DELIVER: 0x05,
  /** Client -> gateway: `max u16`: send me up to this many stored messages. */
  PULL: 0x06,
  /** Client -> gateway: `count u16 ‖ id u64 …`: delete these, I have them. */
  DELIVERED: 0x07,
  /** Gateway -> client: `code u8 ‖ utf8 message`. */
  ERROR: 0x08,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/**
 * The largest frame a mixnode ever receives: a MIX_PACKET of the largest Sphinx size class (header + 32 KiB payload).
 * A mixnode's links refuse longer length prefixes, so a neighbour cannot make it buffer 64 KiB frames of garbage.
 */
export const MAX_MIX_FRAME_BYTES = 1 + HEADER_LENGTH + PayloadSize.extended32;

const bad = (message: string): MixnetError => new MixnetError("MIXNET_ERROR_BAD_FRAME", message);

/**
 * MIX_PACKET frames are carved from 64 KiB slabs, ~27 packets to a slab: an ArrayBuffer of its own per packet costs an
 * allocation and a sweep at every scavenge (V8 sweeps each young ArrayBuffer; in a flooded mixnode that sweep was ~40 %
 * of every scavenge's pause). Frames of one slab share its ArrayBuffer (as Node's Buffer pool does); a slab lives while
 * any of its frames is referenced, i.e. until the link that queued them has written them.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/** `length` bytes from the current slab (a fresh slab when it is full); longer than a slab: a buffer of its own. */
function frameBytes(length: number): Uint8Array {
  if (length > SLAB_BYTES) return new Uint8Array(length);
  if (slabUsed + length > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, length);
  slabUsed += (length + 7) & ~7; // keep every frame 8-byte aligned
  return out;
}

export function encodeMixPacket(packet: Uint8Array): Uint8Array {
  const out = frameBytes(1 + packet.length);
  out[0] = FrameType.MIX_PACKET;
  out.set(packet, 1);
  return out;
}

export function encodeClientForward(firstHop: Uint8Array, packet: Uint8Array): Uint8Array {
  if (firstHop.length !== 32) throw new RangeError("firstHop must be 32 bytes");
  const out = new Uint8Array(33 + packet.length);
  out[0] = FrameType.CLIENT_FORWARD;
  out.set(firstHop, 1);
  out.set(packet, 33);
  return out;
}

export function decodeClientForward(frame: Uint8Array): { firstHop: Uint8Array; packet: Uint8Array } {
  if (frame.length < 34) throw bad("client forward frame too short");
  return { firstHop: frame.subarray(1, 33), packet: frame.subarray(33) };
}

export type MailboxMode = "pull" | "push";

export function encodeRegister(mode: MailboxMode): Uint8Array {
  return Uint8Array.of(FrameType.CLIENT_REGISTER, mode === "push" ? 1 : 0);
}

export function decodeRegister(frame: Uint8Array): MailboxMode {
  if (frame.length !== 2 || (frame[1] !== 0 && frame[1] !== 1)) throw bad("register frame malformed");
  return frame[1] === 1 ? "push" : "pull";
}

export function encodeRegistered(stored: number): Uint8Array {
  const out = Buffer.alloc(6);
  out[0] = FrameType.REGISTERED;
  out[1] = 0;
  out.writeUInt32BE(Math.min(stored, 0xffffffff), 2);
  return out;
}

export function decodeRegistered(frame: Uint8Array): { stored: number } {
  if (frame.length !== 6 || frame[1] !== 0) throw bad("registered frame malformed");
  return { stored: Buffer.from(frame.buffer, frame.byteOffset, frame.length).readUInt32BE(2) };
}

export interface StoredMessage {
  id: bigint;
  data: Uint8Array;
}

export function encodeDeliver(messages: readonly StoredMessage[]): Uint8Array {
  if (messages.length > 0xffff) throw new RangeError("too many messages in one frame");
  let size = 3;
  for (const m of messages) size += 10 + m.data.length;
  const out = Buffer.alloc(size);
  out[0] = FrameType.DELIVER;
  out.writeUInt16BE(messages.length, 1);
  let offset = 3;
  for (const m of messages) {
    if (m.data.length > 0xffff) throw new RangeError("stored message too long");
    out.writeBigUInt64BE(m.id, offset);
    out.writeUInt16BE(m.data.length, offset + 8);
    out.set(m.data, offset + 10);
    offset += 10 + m.data.length;
  }
  return out;
}

export function decodeDeliver(frame: Uint8Array): StoredMessage[] {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  if (buf.length < 3) throw bad("deliver frame too short");
  const count = buf.readUInt16BE(1);
  const out: StoredMessage[] = [];
  let offset = 3;
  for (let i = 0; i < count; i++) {
    if (buf.length - offset < 10) throw bad("deliver frame truncated");
    const id = buf.readBigUInt64BE(offset);
    const len = buf.readUInt16BE(offset + 8);
    if (buf.length - offset - 10 < len) throw bad("deliver frame truncated");
    out.push({ id, data: new Uint8Array(buf.subarray(offset + 10, offset + 10 + len)) });
    offset += 10 + len;
  }
  if (offset !== buf.length) throw bad("deliver frame has trailing bytes");
  return out;
}

export function encodePull(max: number): Uint8Array {
  const out = Buffer.alloc(3);
  out[0] = FrameType.PULL;
  out.writeUInt16BE(Math.max(1, Math.min(max, 0xffff)), 1);
  return out;
}

export function decodePull(frame: Uint8Array): number {
  if (frame.length !== 3) throw bad("pull frame malformed");
  const max = Buffer.from(frame.buffer, frame.byteOffset, frame.length).readUInt16BE(1);
  if (max === 0) throw bad("pull of 0 messages");
  return max;
}

export function encodeDelivered(ids: readonly bigint[]): Uint8Array {
  if (ids.length > 0xffff) throw new RangeError("too many ids in one frame");
  const out = Buffer.alloc(3 + 8 * ids.length);
  out[0] = FrameType.DELIVERED;
  out.writeUInt16BE(ids.length, 1);
  ids.forEach((id, i) => {
    out.writeBigUInt64BE(id, 3 + 8 * i);
  });
  return out;
}

export function decodeDelivered(frame: Uint8Array): bigint[] {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  if (buf.length < 3) throw bad("delivered frame too short");
  const count = buf.readUInt16BE(1);
  if (buf.length !== 3 + 8 * count) throw bad("delivered frame length mismatch");
  const ids: bigint[] = [];
  for (let i = 0; i < count; i++) ids.push(buf.readBigUInt64BE(3 + 8 * i));
  return ids;
}

export function encodeError(code: number, message: string): Uint8Array {
  const text = Buffer.from(message.slice(0, 200), "utf8");
  const out = new Uint8Array(2 + text.length);
  out[0] = FrameType.ERROR;
  out[1] = code;
  out.set(text, 2);
  return out;
}

export function decodeError(frame: Uint8Array): { code: number; message: string } {
  if (frame.length < 2) throw bad("error frame too short");
  return { code: frame[1] as number, message: Buffer.from(frame.subarray(2)).toString("utf8") };
}
