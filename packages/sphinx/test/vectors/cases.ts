/**
 * The inputs of our golden vectors and the function that runs them. `generate.ts` writes the outputs to
 * sphinx-vectors.json once; `vectors.test.ts` checks that today's code still produces exactly those bytes.
 * Everything is derived from fixed seeds (see seededRandom), so nothing depends on the machine's randomness.
 */
import { createHash } from "node:crypto";
import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  decodePayload,
  openSurbReply,
  PayloadSize,
  useSurb,
} from "../../src/index.js";
import { hex, makeRoute, seededRandom } from "../helpers.js";

export interface HopVector {
  kind: "forward" | "final";
  replayTag: string;
  /** The header this hop emits (forward) or receives' routing result (final: destination + identifier). */
  header?: string;
  nextAddress?: string;
  delayNanos?: string;
  destination?: string;
  identifier?: string;
  /** SHA-256 of the payload after this hop removed its layer. */
  payloadSha256: string;
}

export interface CaseVector {
  name: string;
  hops: number;
  nodePrivateKeys: string[];
  nodePublicKeys: string[];
  packet: string;
  hopResults: HopVector[];
  message: string;
  surb?: string;
  recoveryKeys?: string;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function runHops(
  keys: { privateKey: Uint8Array }[],
  packet: Uint8Array,
): { hops: HopVector[]; finalPayload: Uint8Array } {
  const hops: HopVector[] = [];
  let current = packet;
  let finalPayload: Uint8Array = new Uint8Array(0);
  for (const k of keys) {
    const out = createSphinxNode(k.privateKey).process(current);
    if (out.kind === "forward") {
      hops.push({
        kind: "forward",
        replayTag: hex(out.replayTag),
        header: hex(out.packet.subarray(0, 348)),
        nextAddress: hex(out.nextAddress),
        delayNanos: out.delayNanos.toString(),
        payloadSha256: sha(out.packet.subarray(348)),
      });
      current = out.packet;
    } else {
      hops.push({
        kind: "final",
        replayTag: hex(out.replayTag),
        destination: hex(out.destination),
        identifier: hex(out.identifier),
        payloadSha256: sha(out.payload),
      });
      finalPayload = out.payload;
    }
  }
  return { hops, finalPayload };
}

export function forwardCase(hops: number): CaseVector & { decoded: Uint8Array } {
  const random = seededRandom(`nym-ts sphinx vector forward ${hops}`);
  const { keys, route } = makeRoute(hops, random);
  const message = new TextEncoder().encode(`golden vector: ${hops} hop(s), nym sphinx v258 layout`);
  const delays = route.map((_, i) => 10 + 2.5 * i);
  const destination = { address: new Uint8Array(32).fill(0xd0 + hops), identifier: new Uint8Array(16).fill(hops) };
  const { packet } = createForwardPacket({
    route,
    delays,
    destination,
    message,
    payloadSize: PayloadSize.regular,
    random,
  });
  const { hops: hopResults, finalPayload } = runHops(keys, packet);
  return {
    name: `forward-${hops}-hops`,
    hops,
    nodePrivateKeys: keys.map((k) => hex(k.privateKey)),
    nodePublicKeys: keys.map((k) => hex(k.publicKey)),
    packet: hex(packet),
    hopResults,
    message: hex(message),
    decoded: decodePayload(finalPayload),
  };
}

export function surbCase(): CaseVector & { decoded: Uint8Array } {
  const hops = 4;
  const random = seededRandom("nym-ts sphinx vector surb");
  const { keys, route } = makeRoute(hops, random);
  const destination = { address: new Uint8Array(32).fill(0xee), identifier: new Uint8Array(16).fill(0x5b) };
  const { surb, recoveryKeys } = createSurb({ route, delays: [5, 6, 7, 8], destination, random });
  const message = new TextEncoder().encode("golden vector: a reply through a single-use reply block");
  const { packet } = useSurb(surb, message, PayloadSize.regular);
  const { hops: hopResults, finalPayload } = runHops(keys, packet);
  return {
    name: "surb-4-hops",
    hops,
    nodePrivateKeys: keys.map((k) => hex(k.privateKey)),
    nodePublicKeys: keys.map((k) => hex(k.publicKey)),
    packet: hex(packet),
    hopResults,
    message: hex(message),
    surb: hex(surb),
    recoveryKeys: hex(recoveryKeys),
    decoded: openSurbReply(recoveryKeys, finalPayload),
  };
}

export function allCases(): (CaseVector & { decoded: Uint8Array })[] {
  return [1, 2, 3, 4, 5].map(forwardCase).concat([surbCase()]);
}
