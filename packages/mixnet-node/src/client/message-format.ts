import { type ClientAddress, decodeAddress, MixnetError } from "@nym-ts/mixnet";

/**
 * The client-to-client plaintext formats inside sealed Sphinx payloads: a one-byte kind, the 16-byte message id,
 * 16-bit fragment index/total, and for a message's first bytes a version, flags, an optional sender address and
 * optional reply SURBs.
 */
export const Kind = { DATA: 1, LOOP: 2, REPLY: 3, ACK: 4 } as const;
export const MESSAGE_VERSION = 1;
export const FLAG_ADDRESS = 1;
export const FLAG_SURBS = 2;

/** Bytes before the body of a data fragment: kind, id, index, total, ack SURB length. */
export const DATA_HEADER = 1 + 16 + 6;
/** Bytes before the body of a reply fragment: kind, id, index, total. */
export const REPLY_HEADER = 1 + 16 + 4;

export const u16 = (b: Uint8Array, at: number): number => ((b[at] as number) << 8) | (b[at + 1] as number);
export const putU16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v >> 8;
  b[at + 1] = v & 0xff;
};

/** The ack a recipient sends back through a fragment's ack SURB: kind ‖ message id ‖ fragment index. */
export function encodeAck(messageId: Uint8Array, index: number): Uint8Array {
  const ack = new Uint8Array(1 + 16 + 2);
  ack[0] = Kind.ACK;
  ack.set(messageId, 1);
  putU16(ack, 17, index);
  return ack;
}

/** A decoded message body: who sent it (when revealed), its reply SURBs, and the data. */
export interface MessageBody {
  sender: ClientAddress | undefined;
  surbs: Uint8Array[];
  data: Uint8Array;
}

export function decodeMessageBody(body: Uint8Array, surbLength: number): MessageBody {
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
    if (body.length < offset + count * surbLength) {
      throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "SURBs truncated");
    }
    for (let i = 0; i < count; i++) surbs.push(body.slice(offset + i * surbLength, offset + (i + 1) * surbLength));
    offset += count * surbLength;
  }
  return { sender, surbs, data: body.slice(offset) };
}
