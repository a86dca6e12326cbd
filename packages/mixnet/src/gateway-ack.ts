import { MixnetError } from "./errors.js";

/**
 * The envelope of every forward message a client sends to a registered client (data fragments and loop cover alike):
 * `version(1) ‖ surbLength u16 ‖ gateway-ack SURB ‖ body`. The recipient's gateway, which strips the last Sphinx layer
 * and so sees this message (the body is sealed to the recipient), stores the packet and answers through the SURB with
 * `STORED_ACK` (or `DROPPED_ACK` for a packet it did not store): the sender learns "stored at the recipient's gateway"
 * without the recipient being online. The SURB is
 * the sender's, leads back to the sender over three mixes, and tells the gateway nothing about who made it
 * (docs/mixnet.md, "Acks and retransmission"). A zero-length SURB asks for no acknowledgement.
 */
export const ENVELOPE_VERSION = 1;
/** Bytes of an envelope besides its SURB: version and SURB length. */
export const ENVELOPE_HEADER = 3;
/** What a gateway sends back through a gateway-ack SURB once the packet is stored. */
export const STORED_ACK: Uint8Array = Uint8Array.of(0x53, 0x01);
/**
 * What it sends back for a packet it did not store (no such registered client, or the mailbox is full): every
 * forward packet reaching a gateway is answered, so the answer's presence says nothing, only its sealed content.
 */
export const DROPPED_ACK: Uint8Array = Uint8Array.of(0x53, 0x00);

export function encodeEnvelope(surb: Uint8Array, body: Uint8Array): Uint8Array {
  if (surb.length > 0xffff) throw new RangeError("gateway-ack SURB too long");
  const out = new Uint8Array(ENVELOPE_HEADER + surb.length + body.length);
  out[0] = ENVELOPE_VERSION;
  out[1] = surb.length >> 8;
  out[2] = surb.length & 0xff;
  out.set(surb, ENVELOPE_HEADER);
  out.set(body, ENVELOPE_HEADER + surb.length);
  return out;
}

/** The SURB (empty when none was asked for) and the body of an envelope; throws MIXNET_ERROR_BAD_PAYLOAD otherwise. */
export function decodeEnvelope(message: Uint8Array): { surb: Uint8Array; body: Uint8Array } {
  if (message.length < ENVELOPE_HEADER || message[0] !== ENVELOPE_VERSION) {
    throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "not a forward envelope");
  }
  const surbLength = ((message[1] as number) << 8) | (message[2] as number);
  if (message.length < ENVELOPE_HEADER + surbLength) {
    throw new MixnetError("MIXNET_ERROR_BAD_PAYLOAD", "envelope truncated");
  }
  return {
    surb: message.subarray(ENVELOPE_HEADER, ENVELOPE_HEADER + surbLength),
    body: message.subarray(ENVELOPE_HEADER + surbLength),
  };
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** What an opened gateway-ack reply says; undefined for anything else. */
export function decodeGatewayAck(message: Uint8Array): "stored" | "dropped" | undefined {
  if (same(message, STORED_ACK)) return "stored";
  if (same(message, DROPPED_ACK)) return "dropped";
  return undefined;
}
