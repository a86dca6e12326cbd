import { describe, expect, it } from "vitest";
import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  DEFAULT_SPHINX_VERSION,
  DEFAULT_SURB_VERSION,
  decodePayload,
  HEADER_LENGTH,
  isSphinxVersion,
  openSurbReply,
  PayloadSize,
  type ProcessedPacket,
  SPHINX_VERSIONS,
  SphinxError,
  SURB_LENGTH,
  surbLength,
  useSurb,
} from "../../src/index.js";
import { deriveHopSecrets } from "../../src/sphinx.js";
import { makeRoute, seededRandom } from "../helpers.js";

const destination = { address: new Uint8Array(32).fill(0xdd), identifier: new Uint8Array(16).fill(0x11) };

function expectCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SphinxError);
    expect((e as SphinxError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing thrown`);
}

describe("forward packets", () => {
  it.each([1, 2, 3, 4, 5])("a %i-hop packet reaches the destination with the exact message and delays", (hops) => {
    const random = seededRandom(`route-${hops}`);
    const { keys, route } = makeRoute(hops, random);
    const message = new TextEncoder().encode(`message over ${hops} hops`);
    const delays = route.map((_, i) => 1.5 + i);
    const created = createForwardPacket({ route, delays, destination, message, random });
    expect(created.packet.length).toBe(HEADER_LENGTH + PayloadSize.regular);
    expect(created.firstHop).toEqual(route[0]!.address);
    let packet = created.packet;
    let out: ProcessedPacket | undefined;
    for (let i = 0; i < hops; i++) {
      out = createSphinxNode(keys[i]!.privateKey).process(packet);
      if (i < hops - 1) {
        expect(out.kind).toBe("forward");
        if (out.kind !== "forward") return;
        expect(out.nextAddress).toEqual(route[i + 1]!.address);
        expect(out.delay).toBe(delays[i]);
        expect(out.delayNanos).toBe(BigInt(delays[i]! * 1e6));
        expect(out.packet.length).toBe(packet.length);
        packet = out.packet;
      }
    }
    expect(out?.kind).toBe("final");
    if (out?.kind !== "final") return;
    expect(out.destination).toEqual(destination.address);
    expect(out.identifier).toEqual(destination.identifier);
    expect(decodePayload(out.payload)).toEqual(message);
  });

  it.each(Object.entries(PayloadSize))("payload class %s (%i bytes) round-trips a full-size message", (_, size) => {
    const random = seededRandom(`size-${size}`);
    const { keys, route } = makeRoute(3, random);
    const message = random(size - 17);
    let packet = createForwardPacket({
      route,
      delays: [1, 2, 3],
      destination,
      message,
      payloadSize: size,
      random,
    }).packet;
    expect(packet.length).toBe(HEADER_LENGTH + size);
    for (const k of keys) {
      const out = createSphinxNode(k.privateKey).process(packet);
      if (out.kind === "forward") packet = out.packet;
      else expect(decodePayload(out.payload)).toEqual(message);
    }
  });

  it("the one-multiplication-per-hop key derivation equals nym's chained X25519 blindings", () => {
    for (let t = 0; t < 5; t++) {
      const random = seededRandom(`derive-${t}`);
      const { route } = makeRoute(5, random);
      const ephemeral = random(32);
      expect(deriveHopSecrets(ephemeral, route)).toEqual(deriveHopSecrets(ephemeral, route, true));
    }
  });

  it("rejects bad builder arguments with typed errors", () => {
    const random = seededRandom("args");
    const { route } = makeRoute(5, random);
    const base = { route, delays: [1, 1, 1, 1, 1], destination, message: new Uint8Array(1) };
    expectCode(
      () => createForwardPacket({ ...base, route: [] as never[], delays: [] }),
      "SPHINX_ERROR_INVALID_ARGUMENT",
    );
    expectCode(
      () => createForwardPacket({ ...base, route: [...route, route[0]!], delays: [1, 1, 1, 1, 1, 1] }),
      "SPHINX_ERROR_INVALID_ARGUMENT",
    );
    expectCode(() => createForwardPacket({ ...base, delays: [1, 1] }), "SPHINX_ERROR_INVALID_ARGUMENT");
    expectCode(() => createForwardPacket({ ...base, delays: [1, 1, -1, 1, 1] }), "SPHINX_ERROR_INVALID_ARGUMENT");
    expectCode(
      () => createForwardPacket({ ...base, message: new Uint8Array(PayloadSize.regular - 16) }),
      "SPHINX_ERROR_INVALID_ARGUMENT",
    );
    expectCode(() => createForwardPacket({ ...base, payloadSize: 10 }), "SPHINX_ERROR_INVALID_LENGTH");
    expectCode(
      () => createForwardPacket({ ...base, destination: { ...destination, identifier: new Uint8Array(15) } }),
      "SPHINX_ERROR_INVALID_LENGTH",
    );
  });

  it("a node rejects a packet not addressed to it with a MAC error, and a replay via isReplay", () => {
    const random = seededRandom("wrong-node");
    const { keys, route } = makeRoute(3, random);
    const { packet } = createForwardPacket({ route, delays: [1, 1, 1], destination, message: new Uint8Array(4) });
    expectCode(() => createSphinxNode(keys[1]!.privateKey).process(packet), "SPHINX_ERROR_INVALID_MAC");
    const node = createSphinxNode(keys[0]!.privateKey);
    const seen = new Set<string>();
    const isReplay = (tag: Uint8Array) => seen.has(Buffer.from(tag).toString("hex"));
    const first = node.process(packet, { isReplay });
    seen.add(Buffer.from(first.replayTag).toString("hex"));
    expectCode(() => node.process(packet, { isReplay }), "SPHINX_ERROR_REPLAY");
  });
});

describe("versions", () => {
  const random = seededRandom("versions");
  const { keys, route } = makeRoute(3, random);
  const nodes = keys.map((k) => createSphinxNode(k.privateKey));

  it("packets default to 259 (what nym's current release sends) and SURBs to 260; one node processes all three", () => {
    expect(DEFAULT_SPHINX_VERSION).toBe(259);
    expect(DEFAULT_SURB_VERSION).toBe(260);
    expect([...SPHINX_VERSIONS]).toEqual([258, 259, 260]);
    const message = new TextEncoder().encode("any version");
    for (const version of [undefined, 258, 259, 260] as const) {
      let packet = createForwardPacket({
        route,
        delays: [1, 2, 3],
        destination,
        message,
        random,
        ...(version === undefined ? {} : { version }),
      }).packet;
      for (const node of nodes) {
        const out = node.process(packet);
        expect(out.version).toBe(version ?? 259);
        if (out.kind === "forward") packet = out.packet;
        else expect(decodePayload(out.payload)).toEqual(message);
      }
    }
  });

  it("the versions share the header and differ in the payload: same randomness, same header, other payload", () => {
    const options = { route, delays: [1, 2, 3], destination, message: new Uint8Array(10) };
    const [p258, p259, p260] = ([258, 259, 260] as const).map(
      (version) => createForwardPacket({ ...options, version, random: seededRandom("same") }).packet,
    );
    // alpha is the same; beta and gamma differ only through the version bytes in every routing block
    expect(p259!.subarray(0, 32)).toEqual(p258!.subarray(0, 32));
    expect(p259!.subarray(32, HEADER_LENGTH)).not.toEqual(p258!.subarray(32, HEADER_LENGTH));
    expect(p259!.subarray(HEADER_LENGTH)).not.toEqual(p258!.subarray(HEADER_LENGTH));
    // 259 and 260 derive the same payload keys
    expect(p260!.subarray(HEADER_LENGTH)).toEqual(p259!.subarray(HEADER_LENGTH));
  });

  it("rejects other versions at creation with a typed error", () => {
    for (const version of [1, 257, 261, "259", null]) {
      expectCode(
        () =>
          createForwardPacket({ route, delays: [1, 2, 3], destination, message: new Uint8Array(1), version } as never),
        "SPHINX_ERROR_INVALID_ARGUMENT",
      );
      expectCode(
        () => createSurb({ route, delays: [1, 2, 3], destination, version } as never),
        "SPHINX_ERROR_INVALID_ARGUMENT",
      );
    }
    expect(isSphinxVersion(259)).toBe(true);
    expect(isSphinxVersion(257)).toBe(false);
  });
});

describe("SURBs", () => {
  const random = seededRandom("surb-unit");
  const { keys, route } = makeRoute(3, random);
  const nodes = keys.map((k) => createSphinxNode(k.privateKey));

  function deliver(packet: Uint8Array) {
    let current = packet;
    for (const n of nodes) {
      const out = n.process(current);
      if (out.kind === "final") return out;
      current = out.packet;
    }
    throw new Error("route did not end");
  }

  const kinds = [
    { version: 258, keys: "last-hop", surb: 572, recovery: 3 * 192 },
    { version: 258, keys: "every-hop", surb: 348 + 32 + 3 * 192, recovery: 0 },
    { version: 259, keys: "every-hop", surb: 348 + 32 + 3 * 16, recovery: 0 },
    { version: 260, keys: "last-hop", surb: 348 + 32 + 16, recovery: 16 + 3 * 16 },
  ] as const;

  it.each(kinds)("a $version $keys SURB: $surb bytes, its reply reaches the creator and opens", (kind) => {
    const created = createSurb({
      route,
      delays: [1, 2, 3],
      destination,
      random,
      version: kind.version,
      keys: kind.keys,
    });
    expect(created.version).toBe(kind.version);
    expect(created.keys).toBe(kind.keys);
    expect(created.surb.length).toBe(kind.surb);
    expect(surbLength(kind.version, 3, kind.keys)).toBe(kind.surb);
    expect(created.recoveryKeys.length).toBe(kind.recovery);
    const message = new TextEncoder().encode(`the answer is true (${kind.version})`);
    const { firstHop, packet } = useSurb(created.surb, message);
    expect(firstHop).toEqual(route[0]!.address);
    const final = deliver(packet);
    expect(final.version).toBe(kind.version);
    expect(final.identifier).toEqual(destination.identifier);
    expect(openSurbReply(created.recoveryKeys, final.payload)).toEqual(message);
    if (kind.keys === "every-hop") {
      // the final hop holds the framed message
      expect(decodePayload(final.payload)).toEqual(message);
    } else {
      // the final hop cannot read the reply, and another SURB's recovery bytes do not open it
      expectCode(() => decodePayload(final.payload), "SPHINX_ERROR_INVALID_PAYLOAD");
      const other = createSurb({ route, delays: [1, 2, 3], destination, random, version: kind.version }).recoveryKeys;
      expectCode(() => openSurbReply(other, final.payload), "SPHINX_ERROR_INVALID_PAYLOAD");
    }
  });

  it("createSurb defaults to 260 (one seed); 258 defaults to our last-hop SURB of 572 bytes", () => {
    expect(createSurb({ route, delays: [1, 2, 3], destination, random }).surb.length).toBe(396);
    expect(createSurb({ route, delays: [1, 2, 3], destination, random, version: 258 }).surb.length).toBe(SURB_LENGTH);
    expect(SURB_LENGTH).toBe(572);
  });

  it("last-hop SURBs carry no recovery material of the other hops", () => {
    const ours = createSurb({ route, delays: [1, 2, 3], destination, random, version: 258 });
    const text = Buffer.from(ours.surb).toString("hex");
    for (let h = 0; h < 2; h++) {
      expect(text).not.toContain(Buffer.from(ours.recoveryKeys.subarray(h * 192, (h + 1) * 192)).toString("hex"));
    }
    const nym = createSurb({ route, delays: [1, 2, 3], destination, random, version: 260 });
    const seeds = nym.recoveryKeys.subarray(16);
    expect(nym.recoveryKeys.subarray(0, 16)).toEqual(destination.identifier);
    expect(nym.surb.subarray(348 + 32)).toEqual(seeds.subarray(32, 48));
    const nymText = Buffer.from(nym.surb).toString("hex");
    for (let h = 0; h < 2; h++)
      expect(nymText).not.toContain(Buffer.from(seeds.subarray(h * 16, (h + 1) * 16)).toString("hex"));
  });

  it("refuses SURB kinds the crate does not define: 259 last-hop, 260 every-hop", () => {
    expectCode(
      () => createSurb({ route, delays: [1, 2, 3], destination, version: 259, keys: "last-hop" }),
      "SPHINX_ERROR_INVALID_ARGUMENT",
    );
    expectCode(
      () => createSurb({ route, delays: [1, 2, 3], destination, version: 260, keys: "every-hop" }),
      "SPHINX_ERROR_INVALID_ARGUMENT",
    );
    expectCode(
      () => createSurb({ route, delays: [1, 2, 3], destination, keys: "all" as never }),
      "SPHINX_ERROR_INVALID_ARGUMENT",
    );
    expectCode(() => surbLength(259, 6), "SPHINX_ERROR_INVALID_ARGUMENT");
  });

  it("rejects malformed SURBs and recovery bytes with typed errors", () => {
    const { surb } = createSurb({ route, delays: [1, 2, 3], destination, random, version: 258 });
    expectCode(() => useSurb(surb.subarray(1), new Uint8Array(1)), "SPHINX_ERROR_INVALID_LENGTH");
    expectCode(() => useSurb(surb.subarray(0, 380), new Uint8Array(1)), "SPHINX_ERROR_INVALID_LENGTH");
    // 12 seeds (what 192 bytes would be if they were seeds) or 6 keys are more than 5 hops
    expectCode(
      () => useSurb(Uint8Array.from([...surb, ...new Uint8Array(5 * 192)]), new Uint8Array(1)),
      "SPHINX_ERROR_INVALID_LENGTH",
    );
    expectCode(() => useSurb(surb.subarray(0, 380 + 17), new Uint8Array(1)), "SPHINX_ERROR_INVALID_LENGTH");
    expectCode(() => useSurb(surb.subarray(0, 380 + 6 * 16), new Uint8Array(1)), "SPHINX_ERROR_INVALID_LENGTH");
    expectCode(() => useSurb(surb, new Uint8Array(1), 1234), "SPHINX_ERROR_INVALID_LENGTH");
    for (const length of [16, 17, 191, 16 + 6 * 16, 192 * 6]) {
      expectCode(
        () => openSurbReply(new Uint8Array(length), new Uint8Array(PayloadSize.regular)),
        "SPHINX_ERROR_INVALID_LENGTH",
      );
    }
  });
});

describe("inputs are never modified", () => {
  it("processing Buffer packets (forward and final) leaves them untouched and returns plain copies", () => {
    const random = seededRandom("buffers");
    const { keys, route } = makeRoute(2, random);
    const message = random(40);
    const created = createForwardPacket({ route, delays: [1, 1], destination, message, random }).packet;
    let packet = Buffer.from(created);
    for (const k of keys) {
      const before = Buffer.from(packet);
      const out = createSphinxNode(k.privateKey).process(packet);
      expect(packet.equals(before)).toBe(true);
      if (out.kind === "forward") {
        packet = Buffer.from(out.packet);
      } else {
        const payloadBuffer = Buffer.from(out.payload);
        const decoded = decodePayload(payloadBuffer);
        expect(decoded).toEqual(message);
        expect(Buffer.isBuffer(decoded)).toBe(false);
        decoded.fill(0);
        expect(decodePayload(payloadBuffer)).toEqual(message);
      }
    }
  });
});
