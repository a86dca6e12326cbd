import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  decodePayload,
  HEADER_LENGTH,
  openSurbReply,
  PayloadSize,
  type ProcessedPacket,
  SphinxError,
  type SphinxNode,
  type SphinxVersion,
  type SurbKeys,
  useSurb,
} from "../../src/index.js";
import { makeRoute, seededRandom } from "../helpers.js";

// A pool of node keys so properties do not pay key generation per run.
const pool = makeRoute(5, seededRandom("property pool"));
const nodes: SphinxNode[] = pool.keys.map((k) => createSphinxNode(k.privateKey));
const sizes = [PayloadSize.ack, PayloadSize.regular, PayloadSize.extended8];

const routeArb = fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 });
const caseArb = routeArb.chain((order) =>
  fc.record({
    order: fc.constant(order),
    delays: fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), {
      minLength: order.length,
      maxLength: order.length,
    }),
    size: fc.constantFrom(...sizes),
    seed: fc.string(),
    destination: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    identifier: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    version: fc.constantFrom(258, 259, 260),
    surbKeys: fc.constantFrom("last-hop", "every-hop"),
  }),
);

/** A SURB kind for the case: 258 either; 259 every-hop, 260 last-hop (the only kinds the crate defines). */
const surbKind = (c: { version: SphinxVersion; surbKeys: SurbKeys }) =>
  ({
    version: c.version,
    keys: c.version === 258 ? c.surbKeys : c.version === 259 ? "every-hop" : "last-hop",
  }) as const;

function build(c: { order: number[]; size: number; seed: string }) {
  const random = seededRandom(c.seed);
  const message = random(Math.floor((random(1)[0]! / 255) * (c.size - 17)));
  const route = c.order.map((i) => pool.route[i]!);
  return { message, route, random };
}

function runRoute(order: number[], packet: Uint8Array): ProcessedPacket[] {
  const outs: ProcessedPacket[] = [];
  let current = packet;
  for (const i of order) {
    const out = nodes[i]!.process(current);
    outs.push(out);
    if (out.kind === "forward") current = out.packet;
  }
  return outs;
}

function sphinxCode(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!(e instanceof SphinxError)) throw e;
    return e.code;
  }
}

describe("properties (fast-check)", () => {
  it("random versions, routes, delays, sizes and messages deliver the exact message and routing data", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { message, route, random } = build(c);
        const destination = { address: c.destination, identifier: c.identifier };
        const { packet } = createForwardPacket({
          route,
          delays: c.delays,
          destination,
          message,
          payloadSize: c.size,
          random,
          version: c.version,
        });
        expect(packet.length).toBe(HEADER_LENGTH + c.size);
        const outs = runRoute(c.order, packet);
        outs.forEach((out, h) => {
          expect(out.version).toBe(c.version);
          if (h < outs.length - 1) {
            expect(out.kind).toBe("forward");
            if (out.kind === "forward") {
              expect(out.nextAddress).toEqual(route[h + 1]!.address);
              expect(out.delayNanos).toBe(BigInt(Math.round(c.delays[h]! * 1e6)));
            }
          }
        });
        const last = outs[outs.length - 1]!;
        expect(last.kind).toBe("final");
        if (last.kind !== "final") return;
        expect(last.destination).toEqual(c.destination);
        expect(last.identifier).toEqual(c.identifier);
        expect(decodePayload(last.payload)).toEqual(message);
      }),
      { numRuns: 40 },
    );
  });

  it("one flipped bit anywhere in the header is rejected at the hop that receives it", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.integer({ min: 0, max: HEADER_LENGTH * 8 - 1 }), (c, hopPick, bit) => {
        const { message, route, random } = build(c);
        const { packet } = createForwardPacket({
          route,
          delays: c.delays,
          destination: { address: c.destination, identifier: c.identifier },
          message,
          payloadSize: c.size,
          random,
          version: c.version,
        });
        const hop = hopPick % c.order.length;
        let current = packet;
        for (let h = 0; h < hop; h++) {
          const out = nodes[c.order[h]!]!.process(current);
          if (out.kind !== "forward") throw new Error("unexpected final hop");
          current = out.packet;
        }
        const mutated = Uint8Array.from(current);
        mutated[bit >> 3]! ^= 1 << (bit & 7);
        const code = sphinxCode(() => nodes[c.order[hop]!]!.process(mutated));
        expect(["SPHINX_ERROR_INVALID_MAC", "SPHINX_ERROR_INVALID_POINT"]).toContain(code);
      }),
      { numRuns: 150 },
    );
  });

  it("tampering with the payload at any hop is caught at the end, for forward packets and every kind of SURB reply", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), fc.boolean(), (c, hopPick, bytePick, reply) => {
        const { message, route, random } = build(c);
        const destination = { address: c.destination, identifier: c.identifier };
        let packet: Uint8Array;
        let recoveryKeys: Uint8Array | undefined;
        if (reply) {
          const surb = createSurb({ route, delays: c.delays, destination, random, ...surbKind(c) });
          recoveryKeys = surb.recoveryKeys;
          packet = useSurb(surb.surb, message, c.size).packet;
        } else {
          packet = createForwardPacket({
            route,
            delays: c.delays,
            destination,
            message,
            payloadSize: c.size,
            random,
            version: c.version,
          }).packet;
        }
        const tamperAt = hopPick % c.order.length;
        let final: ProcessedPacket | undefined;
        for (let h = 0; h < c.order.length; h++) {
          if (h === tamperAt) {
            packet = Uint8Array.from(packet);
            packet[HEADER_LENGTH + (bytePick % c.size)]! ^= 0x01 << (bytePick % 8);
          }
          const out = nodes[c.order[h]!]!.process(packet);
          if (out.kind === "forward") packet = out.packet;
          else final = out;
        }
        if (final?.kind !== "final") throw new Error("no final hop");
        const payload = final.payload;
        const open = () => (recoveryKeys ? openSurbReply(recoveryKeys, payload) : decodePayload(payload));
        expect(sphinxCode(open)).toBe("SPHINX_ERROR_INVALID_PAYLOAD");
      }),
      { numRuns: 60 },
    );
  });

  it("the replay tag is stable for a packet at a node and differs across nodes and packets", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { message, route, random } = build(c);
        const options = {
          route,
          delays: c.delays,
          destination: { address: c.destination, identifier: c.identifier },
          message,
          payloadSize: c.size,
          random,
        };
        const { packet } = createForwardPacket(options);
        const again = runRoute(c.order, packet).map((o) => Buffer.from(o.replayTag).toString("hex"));
        const first = runRoute(c.order, packet).map((o) => Buffer.from(o.replayTag).toString("hex"));
        expect(again).toEqual(first);
        expect(new Set(first).size).toBe(first.length);
        const other = runRoute(c.order, createForwardPacket(options).packet).map((o) =>
          Buffer.from(o.replayTag).toString("hex"),
        );
        other.forEach((tag, h) => {
          expect(tag).not.toBe(first[h]);
        });
      }),
      { numRuns: 30 },
    );
  });
});
