import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSphinxNode,
  decodePayload,
  getSphinxBackend,
  getSphinxKeyDerivation,
  openSurbReply,
  publicKeyFromPrivate,
  SPHINX_VERSIONS,
  type SphinxVersion,
} from "../../src/index.js";
import { expectedPaths, fromHex, hex, usePath } from "../helpers.js";
import { allCases, type CaseVector, VECTOR_FILES } from "./cases.js";

const pinned = Object.fromEntries(
  SPHINX_VERSIONS.map((v) => [
    v,
    JSON.parse(readFileSync(new URL(`./${VECTOR_FILES[v].file}`, import.meta.url), "utf8")) as {
      format: string;
      cases: CaseVector[];
    },
  ]),
) as Record<SphinxVersion, { format: string; cases: CaseVector[] }>;

const FORWARD = ["forward-1-hops", "forward-2-hops", "forward-3-hops", "forward-4-hops", "forward-5-hops"];

describe("golden vectors (our own, fixed keys and randomness)", () => {
  it("cover 1 to 5 hops and a SURB round trip for every version (258 also nym's every-hop SURB)", () => {
    expect(pinned[258].cases.map((c) => c.name)).toEqual([...FORWARD, "surb-4-hops", "surb-4-hops-every-hop"]);
    expect(pinned[259].cases.map((c) => c.name)).toEqual([...FORWARD, "surb-4-hops"]);
    expect(pinned[260].cases.map((c) => c.name)).toEqual([...FORWARD, "surb-4-hops"]);
    for (const v of SPHINX_VERSIONS) expect(pinned[v].format).toBe(`nym sphinx v${v}`);
  });

  it("every hop of every pinned packet carries its file's version in the routing block", () => {
    for (const v of SPHINX_VERSIONS) {
      for (const c of pinned[v].cases) {
        let packet = fromHex(c.packet);
        for (const sk of c.nodePrivateKeys) {
          const out = createSphinxNode(fromHex(sk)).process(packet);
          expect(out.version).toBe(v);
          if (out.kind === "forward") packet = out.packet;
        }
      }
    }
  });

  it("the SURBs have the layout of their version: 572 / 956 (258), 444 (259, every hop's seed), 396 (260)", () => {
    const surbOf = (v: SphinxVersion, name: string) => pinned[v].cases.find((c) => c.name === name)!;
    expect(fromHex(surbOf(258, "surb-4-hops").surb!).length).toBe(572);
    expect(fromHex(surbOf(258, "surb-4-hops").recoveryKeys!).length).toBe(4 * 192);
    expect(fromHex(surbOf(258, "surb-4-hops-every-hop").surb!).length).toBe(348 + 32 + 4 * 192);
    expect(fromHex(surbOf(258, "surb-4-hops-every-hop").recoveryKeys!).length).toBe(0);
    expect(fromHex(surbOf(259, "surb-4-hops").surb!).length).toBe(348 + 32 + 4 * 16);
    expect(fromHex(surbOf(259, "surb-4-hops").recoveryKeys!).length).toBe(0);
    expect(fromHex(surbOf(260, "surb-4-hops").surb!).length).toBe(348 + 32 + 16);
    expect(fromHex(surbOf(260, "surb-4-hops").recoveryKeys!).length).toBe(16 + 4 * 16);
  });
});

// Every backend, with either key derivation (the native addon and the JS fallback), must reproduce the same pinned
// bytes: that is what makes them interchangeable.
for (const { backend, kdf } of expectedPaths()) {
  for (const version of SPHINX_VERSIONS) {
    describe(`golden vectors of version ${version} on the ${backend} backend, ${kdf} key derivation`, () => {
      let restore = () => {};
      let fresh: ReturnType<typeof allCases> = [];
      beforeAll(() => {
        restore = usePath(backend, kdf);
        fresh = allCases(version);
      });
      afterAll(() => {
        restore();
      });

      for (const [i, expected] of pinned[version].cases.entries()) {
        it(`${expected.name}: creation reproduces the pinned packet and every hop's output`, () => {
          expect(getSphinxBackend()).toBe(backend);
          expect(getSphinxKeyDerivation()).toBe(kdf);
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
}
