/**
 * The inputs of our golden vectors and the function that runs them, one file per version: `generate.ts` writes the
 * outputs to sphinx-vectors.json (258; its first six cases are the ones pinned before 259 and 260 existed),
 * sphinx-vectors-259.json and sphinx-vectors-260.json once; `vectors.test.ts` checks that today's code still
 * produces exactly those bytes. Everything is derived from fixed seeds (see seededRandom), so nothing depends on the
 * machine's randomness.
 */
import { createHash } from "node:crypto";
import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  decodePayload,
  openSurbReply,
  PayloadSize,
  type SphinxVersion,
  type SurbKeys,
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
  /** Only where the version allows both (258): which hops' keys the SURB hands the replier. */
  surbKeys?: SurbKeys;
}

/** The file of each version's golden vectors and the name it gives its format. */
export const VECTOR_FILES: Record<SphinxVersion, { file: string; format: string }> = {
  258: { file: "sphinx-vectors.json", format: "nym sphinx v258" },
  259: { file: "sphinx-vectors-259.json", format: "nym sphinx v259" },
  260: { file: "sphinx-vectors-260.json", format: "nym sphinx v260" },
};

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

/** 258 keeps the seeds it was pinned with; the other versions add theirs to the seed. */
const seedOf = (version: SphinxVersion, what: string) =>
  version === 258 ? `nym-ts sphinx vector ${what}` : `nym-ts sphinx v${version} vector ${what}`;

export function forwardCase(version: SphinxVersion, hops: number): CaseVector & { decoded: Uint8Array } {
  const random = seededRandom(seedOf(version, `forward ${hops}`));
  const { keys, route } = makeRoute(hops, random);
  const message = new TextEncoder().encode(`golden vector: ${hops} hop(s), nym sphinx v${version} layout`);
  const delays = route.map((_, i) => 10 + 2.5 * i);
  const destination = { address: new Uint8Array(32).fill(0xd0 + hops), identifier: new Uint8Array(16).fill(hops) };
  const { packet } = createForwardPacket({
    route,
    delays,
    destination,
    message,
    payloadSize: PayloadSize.regular,
    random,
    version,
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

export function surbCase(version: SphinxVersion, surbKeys?: SurbKeys): CaseVector & { decoded: Uint8Array } {
  const hops = 4;
  const random = seededRandom(seedOf(version, surbKeys === undefined ? "surb" : `surb ${surbKeys}`));
  const { keys, route } = makeRoute(hops, random);
  const destination = { address: new Uint8Array(32).fill(0xee), identifier: new Uint8Array(16).fill(0x5b) };
  const { surb, recoveryKeys } = createSurb({
    route,
    delays: [5, 6, 7, 8],
    destination,
    random,
    version,
    ...(surbKeys === undefined ? {} : { keys: surbKeys }),
  });
  const message = new TextEncoder().encode("golden vector: a reply through a single-use reply block");
  const { packet } = useSurb(surb, message, PayloadSize.regular);
  const { hops: hopResults, finalPayload } = runHops(keys, packet);
  return {
    name: surbKeys === undefined ? "surb-4-hops" : `surb-4-hops-${surbKeys}`,
    hops,
    nodePrivateKeys: keys.map((k) => hex(k.privateKey)),
    nodePublicKeys: keys.map((k) => hex(k.publicKey)),
    packet: hex(packet),
    hopResults,
    message: hex(message),
    surb: hex(surb),
    recoveryKeys: hex(recoveryKeys),
    ...(surbKeys === undefined ? {} : { surbKeys }),
    decoded: openSurbReply(recoveryKeys, finalPayload),
  };
}

/** Every golden case of `version`: 1 to 5 hops, the version's SURB, and for 258 also nym's every-hop SURB. */
export function allCases(version: SphinxVersion): (CaseVector & { decoded: Uint8Array })[] {
  const cases = [1, 2, 3, 4, 5].map((hops) => forwardCase(version, hops)).concat([surbCase(version)]);
  return version === 258 ? cases.concat([surbCase(258, "every-hop")]) : cases;
}
