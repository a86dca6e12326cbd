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
  SURB_LENGTH,
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

  it("a reply through a SURB reaches the creator's destination and opens only with the recovery keys", () => {
    const { surb, recoveryKeys } = createSurb({ route, delays: [1, 2, 3], destination, random });
    expect(surb.length).toBe(SURB_LENGTH);
    expect(recoveryKeys.length).toBe(3 * 192);
    const message = new TextEncoder().encode("the answer is true");
    const { firstHop, packet } = useSurb(surb, message);
    expect(firstHop).toEqual(route[0]!.address);
    const final = deliver(packet);
    expect(final.identifier).toEqual(destination.identifier);
    expect(openSurbReply(recoveryKeys, final.payload)).toEqual(message);
    // the final hop cannot read the reply, and other keys do not open it
    expectCode(() => decodePayload(final.payload), "SPHINX_ERROR_INVALID_PAYLOAD");
    const other = createSurb({ route, delays: [1, 2, 3], destination, random }).recoveryKeys;
    expectCode(() => openSurbReply(other, final.payload), "SPHINX_ERROR_INVALID_PAYLOAD");
  });

  it("the SURB does not carry the recovery keys", () => {
    const { surb, recoveryKeys } = createSurb({ route, delays: [1, 2, 3], destination, random });
    const text = Buffer.from(surb).toString("hex");
    for (let h = 0; h < 2; h++) {
      expect(text).not.toContain(Buffer.from(recoveryKeys.subarray(h * 192, (h + 1) * 192)).toString("hex"));
    }
  });

  it("rejects malformed SURBs and recovery keys with typed errors", () => {
    const { surb } = createSurb({ route, delays: [1, 2, 3], destination, random });
    expectCode(() => useSurb(surb.subarray(1), new Uint8Array(1)), "SPHINX_ERROR_INVALID_LENGTH");
    expectCode(() => useSurb(surb, new Uint8Array(1), 1234), "SPHINX_ERROR_INVALID_LENGTH");
    expectCode(
      () => openSurbReply(new Uint8Array(191), new Uint8Array(PayloadSize.regular)),
      "SPHINX_ERROR_INVALID_LENGTH",
    );
    expectCode(
      () => openSurbReply(new Uint8Array(192 * 6), new Uint8Array(PayloadSize.regular)),
      "SPHINX_ERROR_INVALID_LENGTH",
    );
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
