import { describe, expect, it } from "vitest";
import {
  DROPPED_ACK,
  decodeEnvelope,
  decodeGatewayAck,
  ENVELOPE_HEADER,
  encodeEnvelope,
  MixnetError,
  STORED_ACK,
} from "../../src/index.js";

describe("forward envelope (gateway-ack SURB in front of the sealed body)", () => {
  it("round-trips the SURB and the body, and an empty SURB", () => {
    const surb = new Uint8Array(396).fill(7);
    const body = new Uint8Array([1, 2, 3]);
    const env = encodeEnvelope(surb, body);
    expect(env.length).toBe(ENVELOPE_HEADER + 396 + 3);
    const out = decodeEnvelope(env);
    expect(Buffer.from(out.surb).equals(Buffer.from(surb))).toBe(true);
    expect([...out.body]).toEqual([1, 2, 3]);
    expect(decodeEnvelope(encodeEnvelope(new Uint8Array(0), body)).surb.length).toBe(0);
  });

  it("refuses another version or a truncated SURB with MIXNET_ERROR_BAD_PAYLOAD", () => {
    const env = encodeEnvelope(new Uint8Array(10), new Uint8Array(0));
    expect(() => decodeEnvelope(Uint8Array.of(2, 0, 0))).toThrow(MixnetError);
    expect(() => decodeEnvelope(env.subarray(0, 8))).toThrow(/truncated/);
    expect(() => decodeEnvelope(new Uint8Array(2))).toThrow(/not a forward envelope/);
  });

  it("reads the stored and the dropped ack, and nothing else", () => {
    expect(decodeGatewayAck(STORED_ACK)).toBe("stored");
    expect(decodeGatewayAck(DROPPED_ACK)).toBe("dropped");
    expect(decodeGatewayAck(Uint8Array.of(0x53))).toBeUndefined();
    expect(decodeGatewayAck(Uint8Array.of(0x53, 0x02))).toBeUndefined();
  });
});
