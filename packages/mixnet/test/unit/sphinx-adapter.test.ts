import { describe, expect, it } from "vitest";
import { generateX25519 } from "../../src/e2e.js";
import {
  createNymSphinx,
  DEFAULT_SPHINX_VERSION,
  type NymSphinxCodec,
  nymSphinx,
  SPHINX_VERSIONS,
} from "../../src/sphinx-adapter.js";
import type { ProcessedPacket } from "../../src/sphinx-codec.js";

const keys = Array.from({ length: 4 }, () => generateX25519());
const route = keys.map((k, i) => ({ address: new Uint8Array(32).fill(i + 1), publicKey: k.publicKey }));
const nodeKeys = keys.map((k) => nymSphinx.nodeKey(k.secretKey));
const args = {
  route,
  delaysMs: [1, 2, 3, 4],
  destination: new Uint8Array(32).fill(0xaa),
  identifier: new Uint8Array(16).fill(0x42),
};

function deliver(codec: NymSphinxCodec, packet: Uint8Array): ProcessedPacket & { kind: "final" } {
  let current = packet;
  for (const key of nodeKeys) {
    const out = codec.processPacket(key, current);
    if (out.kind === "final") return out;
    current = out.packet;
  }
  throw new Error("route did not end");
}

describe("the Sphinx codec on @nym-ts/sphinx", () => {
  it("defaults to 259 packets and 260 SURBs of 396 bytes; 258 keeps our 572-byte SURB", () => {
    expect(DEFAULT_SPHINX_VERSION).toBe(259);
    expect(nymSphinx.version).toBe(259);
    expect(nymSphinx.surbVersion).toBe(260);
    expect(nymSphinx.surbLength).toBe(396);
    expect(createNymSphinx({ version: 258 }).surbLength).toBe(572);
    expect(createNymSphinx({ version: 260 }).surbLength).toBe(396);
  });

  it.each([...SPHINX_VERSIONS])(
    "version %i: packets and SURB replies round-trip through one set of nodes",
    (version) => {
      const codec = createNymSphinx({ version });
      const message = new TextEncoder().encode(`hello over ${version}`);
      const final = deliver(codec, codec.createPacket({ ...args, message, payloadSize: 2065 }));
      expect(final.identifier).toEqual(args.identifier);
      expect(codec.decodePayload(final.payload)).toEqual(message);

      const { surb, recoveryKeys } = codec.createSurb(args);
      expect(surb.length).toBe(codec.surbLength);
      const reply = new TextEncoder().encode(`reply over ${version}`);
      const { firstHop, packet } = codec.packetFromSurb(surb, reply, 2065);
      expect(firstHop).toEqual(route[0]!.address);
      const replied = deliver(codec, packet);
      expect(codec.openSurbReply(recoveryKeys, replied.payload)).toEqual(reply);
    },
  );

  it("a codec answers SURBs made by a codec of another version, and nodes process every version", () => {
    const old = createNymSphinx({ version: 258 });
    const current = createNymSphinx({ version: 259 });
    const fromOld = old.createSurb(args);
    const reply = new TextEncoder().encode("cross-version reply");
    const replied = deliver(old, current.packetFromSurb(fromOld.surb, reply, 2065).packet);
    expect(old.openSurbReply(fromOld.recoveryKeys, replied.payload)).toEqual(reply);
    const message = new TextEncoder().encode("259 through a 258 codec's nodes");
    expect(
      old.decodePayload(deliver(old, current.createPacket({ ...args, message, payloadSize: 2065 })).payload),
    ).toEqual(message);
  });

  it("refuses other versions with SPHINX_ERROR_INVALID_ARGUMENT", () => {
    for (const version of [1, 257, 261, "259"]) {
      expect(() => createNymSphinx({ version } as never)).toThrow(
        expect.objectContaining({ code: "SPHINX_ERROR_INVALID_ARGUMENT" }),
      );
    }
  });
});
