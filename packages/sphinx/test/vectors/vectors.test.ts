import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSphinxNode,
  decodePayload,
  getSphinxBackend,
  openSurbReply,
  publicKeyFromPrivate,
  setSphinxBackend,
} from "../../src/index.js";
import { expectedBackends, fromHex, hex } from "../helpers.js";
import { allCases, type CaseVector } from "./cases.js";

const pinned = JSON.parse(readFileSync(new URL("./sphinx-vectors.json", import.meta.url), "utf8")) as {
  cases: CaseVector[];
};

describe("golden vectors (our own, fixed keys and randomness)", () => {
  it("cover 1 to 5 hops and a SURB round trip", () => {
    expect(pinned.cases.map((c) => c.name)).toEqual([
      "forward-1-hops",
      "forward-2-hops",
      "forward-3-hops",
      "forward-4-hops",
      "forward-5-hops",
      "surb-4-hops",
    ]);
  });
});

// Every backend must reproduce the same pinned bytes: that is what makes them interchangeable.
for (const backend of expectedBackends()) {
  describe(`golden vectors on the ${backend} backend`, () => {
    let previous = getSphinxBackend();
    let fresh: ReturnType<typeof allCases> = [];
    beforeAll(() => {
      previous = getSphinxBackend();
      setSphinxBackend(backend);
      fresh = allCases();
    });
    afterAll(() => {
      setSphinxBackend(previous);
    });

    for (const [i, expected] of pinned.cases.entries()) {
      it(`${expected.name}: creation reproduces the pinned packet and every hop's output`, () => {
        expect(getSphinxBackend()).toBe(backend);
        const { decoded, ...actual } = fresh[i]!;
        expect(actual).toEqual(expected);
        expect(hex(decoded)).toBe(expected.message);
      });

      it(`${expected.name}: processing the pinned packet with the pinned keys gives the pinned hop results`, () => {
        let packet = fromHex(expected.packet);
        expected.nodePrivateKeys.forEach((sk, h) => {
          expect(hex(publicKeyFromPrivate(fromHex(sk)))).toBe(expected.nodePublicKeys[h]);
          const out = createSphinxNode(fromHex(sk)).process(packet);
          const want = expected.hopResults[h]!;
          expect(out.kind).toBe(want.kind);
          expect(hex(out.replayTag)).toBe(want.replayTag);
          if (out.kind === "forward") {
            expect(hex(out.packet.subarray(0, 348))).toBe(want.header);
            expect(hex(out.nextAddress)).toBe(want.nextAddress);
            expect(out.delayNanos.toString()).toBe(want.delayNanos);
            packet = out.packet;
          } else {
            expect(hex(out.destination)).toBe(want.destination);
            expect(hex(out.identifier)).toBe(want.identifier);
            const message =
              expected.recoveryKeys === undefined
                ? decodePayload(out.payload)
                : openSurbReply(fromHex(expected.recoveryKeys), out.payload);
            expect(hex(message)).toBe(expected.message);
          }
        });
      });
    }
  });
}
