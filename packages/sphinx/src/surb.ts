/**
 * Single-use reply blocks in nym's byte layout, which our own SURB always fitted:
 *
 *   SURB bytes = header(348) || first hop address(32) || key material for the replier
 *   key material = k full payload keys of 192 bytes (258) or k payload key seeds of 16 bytes (259, 260), 1 <= k <= 5
 *
 * The replier frames its message and adds one Lioness layer per key (the last one first), whatever the version:
 * it needs no other information, and `useSurb` reads every variant (fewer than 192 bytes of material are seeds, as in
 * crate 0.6.0's parser). Which keys the replier gets decides who can read the reply:
 *
 * | version, keys       | material            | bytes (3 / 5 hops) | who reads the reply          | made by            |
 * |---------------------|---------------------|--------------------|------------------------------|--------------------|
 * | 258, "last-hop"     | last hop's key      | 572 / 572          | the creator, with recovery   | us (our SURB)      |
 * | 258, "every-hop"    | every hop's key     | 956 / 1340         | the final hop (plaintext)    | crates 0.5.0-0.6.0 |
 * | 259, "every-hop"    | every hop's seed    | 428 / 460          | the final hop (plaintext)    | crates 0.6.0-0.8.0, nym's release |
 * | 260, "last-hop"     | last hop's seed     | 396 / 396          | the creator, with recovery   | crate 0.8.0        |
 *
 * Every hop, the final one included, removes one layer with its own key exactly as for a forward packet (hops cannot
 * tell replies from forward packets). With "every-hop" material the replier's layers cancel the hops' and the final
 * hop holds the framed message; the replier can then compute the payload at every hop and, with the final hop, link
 * the reply to its route. With "last-hop" material it cannot, nor can the final hop read the reply: the creator (the
 * SURB's destination) keeps every hop's key material (the recovery bytes), re-adds the hop layers last hop first,
 * which leaves the replier's single layer, and removes it. That is our original design and nym's 260, so the default is 260 (DEFAULT_SURB_VERSION).
 *
 *   recovery bytes = 258 "last-hop": payload key(192) per hop, route order                     = 192 x hops
 *                  = 260: identifier(16) || payload key seed(16) per hop (crate 0.8.0's SurbReplyRecovery) = 16 + 16 x hops
 *                  = "every-hop": empty (the final payload is the framed message)
 */

import { currentBackend } from "./backend.js";
import {
  DEFAULT_PAYLOAD_SIZE,
  DEFAULT_SURB_VERSION,
  HEADER_LENGTH,
  IDENTIFIER_LENGTH,
  isSphinxVersion,
  MAX_PATH_LENGTH,
  NODE_ADDRESS_LENGTH,
  PAYLOAD_KEY_LENGTH,
  PAYLOAD_KEY_SEED_LENGTH,
  type SphinxVersion,
} from "./constants.js";
import { SphinxError } from "./errors.js";
import { currentKeyDerivation } from "./key-derivation.js";
import { lionessDecrypt, lionessEncrypt } from "./lioness.js";
import { checkPayloadSize, decodePayload, encryptLayers, framePayload } from "./payload.js";
import { buildHeader, type ForwardPacket, type HeaderOptions, payloadKeyOf, payloadKeySeedOf } from "./sphinx.js";

/** Which hops' key material the replier receives (see the table above). */
export type SurbKeys = "last-hop" | "every-hop";

export interface SurbOptions extends HeaderOptions {
  /**
   * Version 258 only: "last-hop" (default, our SURB) or "every-hop" (crates 0.5.0/0.6.0's 258 SURB). 259 SURBs are
   * always "every-hop" and 260 SURBs always "last-hop", as the crate defines them; anything else is refused.
   */
  keys?: SurbKeys;
}

export interface Surb {
  /** Give this to the replier. */
  surb: Uint8Array;
  /**
   * Keep this secret, indexed by the destination identifier, and pass it to `openSurbReply` with the final payload.
   * Empty for "every-hop" SURBs, whose replies arrive as the framed message.
   */
  recoveryKeys: Uint8Array;
  version: SphinxVersion;
  keys: SurbKeys;
}

function invalid(message: string): SphinxError {
  return new SphinxError("SPHINX_ERROR_INVALID_ARGUMENT", message);
}

function surbKeysFor(version: SphinxVersion, keys: SurbKeys | undefined): SurbKeys {
  if (!isSphinxVersion(version)) throw invalid("version must be 258, 259 or 260");
  if (keys !== undefined && keys !== "last-hop" && keys !== "every-hop") {
    throw invalid('SURB keys must be "last-hop" or "every-hop"');
  }
  if (version === 258) return keys ?? "last-hop";
  const defined: SurbKeys = version === 259 ? "every-hop" : "last-hop";
  if (keys !== undefined && keys !== defined) {
    throw invalid(`a version ${version} SURB is "${defined}" (258 is the only version with both)`);
  }
  return defined;
}

/** Bytes of a SURB of `version` over `hops` hops with `keys` (the version's default when absent). */
export function surbLength(version: SphinxVersion, hops: number, keys?: SurbKeys): number {
  if (!Number.isInteger(hops) || hops < 1 || hops > MAX_PATH_LENGTH) throw invalid("hops must be 1 to 5");
  const kind = surbKeysFor(version, keys);
  const count = kind === "every-hop" ? hops : 1;
  return HEADER_LENGTH + NODE_ADDRESS_LENGTH + count * (version === 258 ? PAYLOAD_KEY_LENGTH : PAYLOAD_KEY_SEED_LENGTH);
}

/** Our original SURB (258, "last-hop"): 572 bytes whatever the route length. */
export const SURB_LENGTH = HEADER_LENGTH + NODE_ADDRESS_LENGTH + PAYLOAD_KEY_LENGTH;

/**
 * Builds a SURB for `route` ending at `destination` (whose identifier lets the creator find the recovery bytes).
 * The version is `options.version`, DEFAULT_SURB_VERSION (260) when absent.
 */
export function createSurb(options: SurbOptions): Surb {
  const version = options.version === undefined ? DEFAULT_SURB_VERSION : options.version;
  const keys = surbKeysFor(version, options.keys);
  const { header, secrets } = buildHeader({ ...options, version }, version);
  const hops = secrets.length;
  const material = version === 258 ? secrets.map((s) => payloadKeyOf(s, 258)) : secrets.map((s) => payloadKeySeedOf(s));
  const given = keys === "every-hop" ? material : [material[hops - 1]!];
  const surb = new Uint8Array(surbLength(version, hops, keys));
  surb.set(header, 0);
  surb.set(options.route[0]!.address, HEADER_LENGTH);
  let at = HEADER_LENGTH + NODE_ADDRESS_LENGTH;
  for (const m of given) {
    surb.set(m, at);
    at += m.length;
  }
  let recoveryKeys: Uint8Array;
  if (keys === "every-hop") {
    recoveryKeys = new Uint8Array(0);
  } else if (version === 258) {
    recoveryKeys = concat(material);
  } else {
    recoveryKeys = concat([options.destination.identifier, ...material]);
  }
  return { surb, recoveryKeys, version, keys };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The replier's keys from a SURB's key material: 192-byte keys (258) or derived from 16-byte seeds (259, 260). */
function replierKeys(material: Uint8Array): Uint8Array[] {
  const size = material.length < PAYLOAD_KEY_LENGTH ? PAYLOAD_KEY_SEED_LENGTH : PAYLOAD_KEY_LENGTH;
  const count = material.length / size;
  if (!Number.isInteger(count) || count < 1 || count > MAX_PATH_LENGTH) {
    throw new SphinxError(
      "SPHINX_ERROR_INVALID_LENGTH",
      `SURB key material must be 1 to ${MAX_PATH_LENGTH} keys of 192 bytes or seeds of 16 bytes, not ${material.length} bytes`,
    );
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const m = material.subarray(i * size, (i + 1) * size);
    out.push(size === PAYLOAD_KEY_LENGTH ? m : currentKeyDerivation().payloadKey(m));
  }
  return out;
}

/** Replier side: turns a SURB (any version, ours or nym's) and a message into a packet for the SURB's first hop. */
export function useSurb(surb: Uint8Array, message: Uint8Array, payloadSize = DEFAULT_PAYLOAD_SIZE): ForwardPacket {
  if (!(surb instanceof Uint8Array) || surb.length <= HEADER_LENGTH + NODE_ADDRESS_LENGTH) {
    throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", "SURB must be header, first hop and key material");
  }
  const keys = replierKeys(surb.subarray(HEADER_LENGTH + NODE_ADDRESS_LENGTH));
  checkPayloadSize(payloadSize);
  const packet = new Uint8Array(HEADER_LENGTH + payloadSize);
  packet.set(surb.subarray(0, HEADER_LENGTH), 0);
  const payload = framePayload(message, payloadSize, packet.subarray(HEADER_LENGTH));
  encryptLayers(payload, keys, currentBackend());
  return { firstHop: new Uint8Array(surb.subarray(HEADER_LENGTH, HEADER_LENGTH + NODE_ADDRESS_LENGTH)), packet };
}

/** The hop keys held in recovery bytes, or undefined for the empty recovery of an "every-hop" SURB. */
function recoveryHopKeys(recoveryKeys: Uint8Array): Uint8Array[] | undefined {
  const n = recoveryKeys.length;
  if (n === 0) return undefined;
  const seeds = (n - IDENTIFIER_LENGTH) / PAYLOAD_KEY_SEED_LENGTH;
  if (n < PAYLOAD_KEY_LENGTH && Number.isInteger(seeds) && seeds >= 1 && seeds <= MAX_PATH_LENGTH) {
    return Array.from({ length: seeds }, (_, i) => {
      const at = IDENTIFIER_LENGTH + i * PAYLOAD_KEY_SEED_LENGTH;
      return currentKeyDerivation().payloadKey(recoveryKeys.subarray(at, at + PAYLOAD_KEY_SEED_LENGTH));
    });
  }
  const keys = n / PAYLOAD_KEY_LENGTH;
  if (Number.isInteger(keys) && keys >= 1 && keys <= MAX_PATH_LENGTH) {
    return Array.from({ length: keys }, (_, i) =>
      recoveryKeys.subarray(i * PAYLOAD_KEY_LENGTH, (i + 1) * PAYLOAD_KEY_LENGTH),
    );
  }
  throw new SphinxError(
    "SPHINX_ERROR_INVALID_LENGTH",
    "recovery keys must be empty, 192 bytes per hop (258) or 16 + 16 bytes per hop (260), 1 to 5 hops",
  );
}

/**
 * Creator side: recovers the reply message from the final hop's payload, with the recovery bytes `createSurb`
 * returned (or crate 0.8.0's `SurbReplyRecovery::to_bytes()`; empty for "every-hop" SURBs).
 */
export function openSurbReply(recoveryKeys: Uint8Array, payload: Uint8Array): Uint8Array {
  if (!(recoveryKeys instanceof Uint8Array)) {
    throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", "recovery keys must be bytes");
  }
  const keys = recoveryHopKeys(recoveryKeys);
  if (!(payload instanceof Uint8Array)) throw new SphinxError("SPHINX_ERROR_INVALID_LENGTH", "payload must be bytes");
  checkPayloadSize(payload.length);
  if (keys === undefined) return decodePayload(payload);
  const work = Uint8Array.from(payload);
  const b = currentBackend();
  for (let i = keys.length - 1; i >= 0; i--) lionessEncrypt(keys[i]!, work, b);
  lionessDecrypt(keys[keys.length - 1]!, work, b);
  return decodePayload(work);
}
