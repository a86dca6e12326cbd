/**
 * Single-use reply blocks. The SURB's creator builds a header for a route back to itself and keeps every hop's
 * payload key (the "recovery keys"); the replier gets only the header, the first hop's address and the last hop's
 * payload key. The replier adds one Lioness layer with that key; every hop, the final one included, removes one layer
 * with its own key exactly as for a forward packet (hops cannot tell replies from forward packets); the creator then
 * re-adds the hop layers (last hop first), which leaves the replier's single layer, and removes it.
 *
 * Handing the replier only one key (not all hop keys, as nym's first SURB format did) means it cannot precompute the
 * payload at each hop and, with the last hop, link the reply route (the concern nym's newer single-seed SURBs fix).
 *
 *   SURB bytes     = header(348) || first hop address(32) || last-hop payload key(192)          = 572 bytes
 *   recovery bytes = payload key(192) per hop, route order                                      = 192 x hops
 */

import { currentBackend } from "./backend.js";
import {
  DEFAULT_PAYLOAD_SIZE,
  HEADER_LENGTH,
  MAX_PATH_LENGTH,
  NODE_ADDRESS_LENGTH,
  PAYLOAD_KEY_LENGTH,
} from "./constants.js";
import { SphinxError } from "./errors.js";
import { lionessDecrypt, lionessEncrypt } from "./lioness.js";
import { checkPayloadSize, decodePayload, framePayload } from "./payload.js";
import { buildHeader, type ForwardPacket, type HeaderOptions } from "./sphinx.js";

export const SURB_LENGTH = HEADER_LENGTH + NODE_ADDRESS_LENGTH + PAYLOAD_KEY_LENGTH;

export interface Surb {
  /** Give this to the replier (572 bytes). */
  surb: Uint8Array;
  /** Keep this secret, indexed by the destination identifier, to open the reply (192 bytes per hop). */
  recoveryKeys: Uint8Array;
}

/** Builds a SURB for `route` ending at `destination` (whose identifier lets the creator find the recovery keys). */
export function createSurb(options: HeaderOptions): Surb {
  const { header, payloadKeys } = buildHeader(options);
  const surb = new Uint8Array(SURB_LENGTH);
  surb.set(header, 0);
  surb.set(options.route[0]!.address, HEADER_LENGTH);
  surb.set(payloadKeys[payloadKeys.length - 1]!, HEADER_LENGTH + NODE_ADDRESS_LENGTH);
  const recoveryKeys = new Uint8Array(PAYLOAD_KEY_LENGTH * payloadKeys.length);
  payloadKeys.forEach((k, i) => {
    recoveryKeys.set(k, i * PAYLOAD_KEY_LENGTH);
  });
  return { surb, recoveryKeys };
}

/** Replier side: turns a SURB and a message into a packet for the SURB's first hop. */
export function useSurb(surb: Uint8Array, message: Uint8Array, payloadSize = DEFAULT_PAYLOAD_SIZE): ForwardPacket {
  if (!(surb instanceof Uint8Array) || surb.length !== SURB_LENGTH) {
    throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", `SURB must be ${SURB_LENGTH} bytes`);
  }
  checkPayloadSize(payloadSize);
  const payload = framePayload(message, payloadSize);
  lionessEncrypt(surb.subarray(HEADER_LENGTH + NODE_ADDRESS_LENGTH), payload, currentBackend());
  const packet = new Uint8Array(HEADER_LENGTH + payloadSize);
  packet.set(surb.subarray(0, HEADER_LENGTH), 0);
  packet.set(payload, HEADER_LENGTH);
  return { firstHop: new Uint8Array(surb.subarray(HEADER_LENGTH, HEADER_LENGTH + NODE_ADDRESS_LENGTH)), packet };
}

/** Creator side: recovers the reply message from the final hop's payload. */
export function openSurbReply(recoveryKeys: Uint8Array, payload: Uint8Array): Uint8Array {
  if (
    !(recoveryKeys instanceof Uint8Array) ||
    recoveryKeys.length === 0 ||
    recoveryKeys.length % PAYLOAD_KEY_LENGTH !== 0 ||
    recoveryKeys.length / PAYLOAD_KEY_LENGTH > MAX_PATH_LENGTH
  ) {
    throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", "recovery keys must be 192 bytes per hop, 1 to 5 hops");
  }
  if (!(payload instanceof Uint8Array)) throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", "payload must be bytes");
  checkPayloadSize(payload.length);
  const hops = recoveryKeys.length / PAYLOAD_KEY_LENGTH;
  const key = (i: number) => recoveryKeys.subarray(i * PAYLOAD_KEY_LENGTH, (i + 1) * PAYLOAD_KEY_LENGTH);
  const work = Uint8Array.from(payload);
  const b = currentBackend();
  for (let i = hops - 1; i >= 0; i--) lionessEncrypt(key(i), work, b);
  lionessDecrypt(key(hops - 1), work, b);
  return decodePayload(work);
}
