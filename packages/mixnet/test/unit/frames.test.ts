import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress } from "../../src/address.js";
import { generateX25519, openSealed, sealTo } from "../../src/e2e.js";
import { MixnetError } from "../../src/errors.js";
import {
  decodeClientForward,
  decodeDeliver,
  decodeDelivered,
  decodePull,
  decodeRegister,
  decodeRegistered,
  encodeClientForward,
  encodeDeliver,
  encodeDelivered,
  encodeMixPacket,
  encodePull,
  encodeRegister,
  encodeRegistered,
  FrameType,
} from "../../src/frames.js";

describe("link frames", () => {
  it("encodes MIX_PACKET frames that stay intact while later frames fill the same slab, of any packet size", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 70_000 }), { minLength: 1, maxLength: 60 }), (packets) => {
        const frames = packets.map((p) => encodeMixPacket(p));
        frames.forEach((frame, i) => {
          const packet = packets[i] as Uint8Array;
          expect(frame.length).toBe(1 + packet.length);
          expect(frame[0]).toBe(FrameType.MIX_PACKET);
          expect(Buffer.from(frame.subarray(1)).equals(packet)).toBe(true);
        });
      }),
      { numRuns: 30 },
    );
    // Writing into one frame leaves its neighbours alone.
    const a = encodeMixPacket(new Uint8Array(2413).fill(1));
    const b = encodeMixPacket(new Uint8Array(2413).fill(2));
    a.fill(9);
    expect(b[0]).toBe(FrameType.MIX_PACKET);
    expect(b.subarray(1).every((x) => x === 2)).toBe(true);
  });

  it("round-trips deliver and delivered frames", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ id: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), data: fc.uint8Array({ maxLength: 300 }) }),
          {
            maxLength: 20,
          },
        ),
        (messages) => {
          expect(decodeDeliver(encodeDeliver(messages))).toEqual(messages);
          const ids = messages.map((m) => m.id);
          expect(decodeDelivered(encodeDelivered(ids))).toEqual(ids);
        },
      ),
    );
  });

  it("round-trips the small frames", () => {
    const hop = new Uint8Array(32).fill(9);
    const packet = new Uint8Array(100).fill(3);
    const fwd = decodeClientForward(encodeClientForward(hop, packet));
    expect(fwd.firstHop).toEqual(hop);
    expect(fwd.packet).toEqual(packet);
    expect(decodeRegister(encodeRegister("push"))).toBe("push");
    expect(decodeRegister(encodeRegister("pull"))).toBe("pull");
    expect(decodeRegistered(encodeRegistered(42)).stored).toBe(42);
    expect(decodePull(encodePull(50))).toBe(50);
  });

  it("rejects every truncation of a deliver frame with a typed error, never a crash", () => {
    const frame = encodeDeliver([
      { id: 1n, data: new Uint8Array(40) },
      { id: 2n, data: new Uint8Array(7) },
    ]);
    for (let cut = 0; cut < frame.length; cut++) {
      expect(() => decodeDeliver(frame.subarray(0, cut))).toThrow(MixnetError);
    }
    expect(() => decodeDelivered(new Uint8Array([7, 0, 2, 1]))).toThrow(MixnetError);
    expect(() => decodeRegister(new Uint8Array([3, 9]))).toThrow(MixnetError);
    expect(() => decodePull(new Uint8Array([6, 0, 0]))).toThrow(MixnetError);
    expect(() => decodeClientForward(new Uint8Array(20))).toThrow(MixnetError);
  });
});

describe("addresses and end-to-end sealing", () => {
  it("round-trips a client address and rejects a malformed one", () => {
    const address = {
      identityKey: new Uint8Array(32).fill(1),
      encryptionKey: new Uint8Array(32).fill(2),
      gateway: new Uint8Array(32).fill(3),
    };
    expect(parseAddress(formatAddress(address))).toEqual(address);
    expect(() => parseAddress("abc@def")).toThrow(MixnetError);
  });

  it("opens what was sealed to it, and refuses tampered boxes and other recipients", () => {
    const alice = generateX25519();
    const bob = generateX25519();
    const box = sealTo(alice.publicKey, new Uint8Array([1, 2, 3, 4]));
    expect(openSealed(alice, box)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(() => openSealed(bob, box)).toThrow(MixnetError);
    const tampered = box.slice();
    tampered[40] = (tampered[40] as number) ^ 1;
    expect(() => openSealed(alice, tampered)).toThrow(MixnetError);
    expect(() => openSealed(alice, box.subarray(0, 20))).toThrow(MixnetError);
  });
});
