import { describe, expect, it } from "vitest";
import {
  createForwardPacket,
  createSphinxNode,
  createSurb,
  decodePayload,
  HEADER_LENGTH,
  openSurbReply,
  PayloadSize,
  SphinxError,
  useSurb,
} from "../../src/index.js";
import { makeRoute, seededRandom } from "../helpers.js";

const random = seededRandom("fuzz");
const { keys, route } = makeRoute(3, random);
const node = createSphinxNode(keys[0]!.privateKey);
const destination = { address: new Uint8Array(32), identifier: new Uint8Array(16) };
const valid = createForwardPacket({ route, delays: [1, 2, 3], destination, message: random(500), random }).packet;
const sizes = Object.values(PayloadSize);
const P = (1n << 255n) - 19n;
const le = (x: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));
// u-coordinates of low-order points and non-canonical encodings
const badAlphas = [0n, 1n, P - 1n, P, P + 1n, (1n << 255n) - 1n, (1n << 255n) | 9n].map(le);

function randomCase(i: number): Uint8Array {
  const r = random(8);
  const pick = r[0]! % 6;
  if (pick === 0) {
    // random bytes of a random length, sometimes a valid packet length
    const length = r[1]! % 2 === 0 ? HEADER_LENGTH + sizes[r[2]! % sizes.length]! : (r[3]! << 5) + r[4]!;
    return random(length);
  }
  const packet = Uint8Array.from(valid);
  if (pick === 1) {
    for (let k = 0; k <= (r[1]! & 15); k++) {
      const at = ((r[2]! << 8) | r[3]!) * (k + 1) + i;
      packet[at % packet.length]! ^= 1 + (r[4]! % 255);
    }
    return packet;
  }
  if (pick === 2) return packet.subarray(0, (r[1]! << 4) % packet.length);
  if (pick === 3) return Uint8Array.from([...packet, ...random(1 + r[1]!)]);
  if (pick === 4) {
    packet.set(badAlphas[r[1]! % badAlphas.length]!, 0);
    return packet;
  }
  // a valid header with a random payload: accepted by the hop, caught at the end
  packet.set(random(packet.length - HEADER_LENGTH), HEADER_LENGTH);
  return packet;
}

describe("bounded fuzz: random and mutated inputs give only typed rejections", () => {
  it("process() throws nothing but SphinxError on 1500 random and mutated packets", () => {
    const codes = new Map<string, number>();
    let accepted = 0;
    for (let i = 0; i < 1500; i++) {
      const input = randomCase(i);
      try {
        const out = node.process(input);
        accepted++;
        expect(out.kind === "forward" ? out.packet.length : out.payload.length + HEADER_LENGTH).toBe(input.length);
      } catch (e) {
        if (!(e instanceof SphinxError)) throw e;
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
    }
    expect(codes.get("SPHINX_ERROR_INVALID_LENGTH")).toBeGreaterThan(0);
    expect(codes.get("SPHINX_ERROR_INVALID_MAC")).toBeGreaterThan(0);
    expect(codes.get("SPHINX_ERROR_INVALID_POINT")).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });

  it("non-byte inputs to every entry point are typed rejections", () => {
    const junk: unknown[] = [undefined, null, 0, "packet", {}, [], new Uint16Array(10), new ArrayBuffer(2413)];
    const surb = createSurb({ route, delays: [1, 1, 1], destination, random }).surb;
    for (const j of junk) {
      for (const f of [
        () => node.process(j as Uint8Array),
        () => decodePayload(j as Uint8Array),
        () => useSurb(j as Uint8Array, new Uint8Array(1)),
        () => useSurb(surb, j as Uint8Array),
        () => openSurbReply(j as Uint8Array, new Uint8Array(PayloadSize.regular)),
        () => openSurbReply(new Uint8Array(192), j as Uint8Array),
        () => createSphinxNode(j as Uint8Array),
        () => createForwardPacket({ route, delays: [1, 1, 1], destination, message: j as Uint8Array }),
        () => createForwardPacket({ route: j as never, delays: [1], destination, message: new Uint8Array(1) }),
      ]) {
        expect(f).toThrow(SphinxError);
      }
    }
  });

  it("decodePayload and openSurbReply reject random payloads with typed errors", () => {
    for (let i = 0; i < 200; i++) {
      const payload = random(sizes[i % sizes.length]!);
      expect(() => decodePayload(payload)).toThrow(SphinxError);
      expect(() => openSurbReply(random(192 * (1 + (i % 5))), payload)).toThrow(SphinxError);
    }
  });
});
