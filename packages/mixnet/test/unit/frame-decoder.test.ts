import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameDecoder } from "../../src/frame-decoder.js";

/** The wire bytes of `frames`: u32 big-endian length, then the frame, for each. */
function wire(frames: Uint8Array[]): Buffer {
  return Buffer.concat(
    frames.flatMap((f) => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(f.length);
      return [prefix, f];
    }),
  );
}

/** `bytes` cut at the given points (sorted, deduplicated) into chunks. */
function cut(bytes: Buffer, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const p of [...at, bytes.length]) {
    chunks.push(new Uint8Array(bytes.subarray(last, p)));
    last = p;
  }
  return chunks;
}

describe("link frame decoder", () => {
  it("gets every frame back, in order, however the stream is cut into chunks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (frames, points) => {
          const out: Uint8Array[] = [];
          const decoder = new FrameDecoder(4096, (f) => out.push(new Uint8Array(f)));
          for (const chunk of cut(wire(frames), points)) expect(decoder.push(chunk)).toBeUndefined();
          expect(out).toEqual(frames);
          expect(decoder.buffered).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hands out a frame that lies within one chunk as a view of that chunk, not a copy", () => {
    const chunk = new Uint8Array(wire([new Uint8Array(100).fill(7), new Uint8Array(50).fill(8)]));
    const views: Uint8Array[] = [];
    new FrameDecoder(4096, (f) => views.push(f)).push(chunk);
    expect(views.map((v) => v.length)).toEqual([100, 50]);
    expect(views.every((v) => v.buffer === chunk.buffer)).toBe(true);
  });

  it("refuses a zero or oversized length, also when its prefix straddles chunks", () => {
    for (const len of [0, 4097, 0xffffffff]) {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(len);
      const good = wire([new Uint8Array([1, 2, 3])]);
      const stream = Buffer.concat([good, prefix, Buffer.alloc(10)]);
      const out: Uint8Array[] = [];
      const decoder = new FrameDecoder(4096, (f) => out.push(new Uint8Array(f)));
      // Split inside the bad prefix: the first chunk ends two bytes into it.
      expect(decoder.push(stream.subarray(0, good.length + 2))).toBeUndefined();
      expect(decoder.push(stream.subarray(good.length + 2))).toBe(len);
      expect(out).toEqual([new Uint8Array([1, 2, 3])]);
      const whole = new FrameDecoder(4096, () => {});
      expect(whole.push(stream)).toBe(len);
    }
  });

  it("assembles a frame cut into many chunks in one buffer of exactly its length, holding at most that frame", () => {
    const frame = new Uint8Array(10_000).map((_, i) => i & 0xff);
    const bytes = wire([frame, new Uint8Array([9])]);
    const out: Uint8Array[] = [];
    const decoder = new FrameDecoder(16_384, (f) => out.push(f));
    let most = 0;
    // One byte at a time: a decoder that grew its buffer by concatenation would copy ~50 MB here.
    for (let i = 0; i < bytes.length; i++) {
      expect(decoder.push(bytes.subarray(i, i + 1))).toBeUndefined();
      most = Math.max(most, decoder.buffered);
    }
    expect(out.map((f) => f.length)).toEqual([10_000, 1]);
    expect(Buffer.from(out[0] as Uint8Array).equals(frame)).toBe(true);
    expect(most).toBe(4 + 9_999);
    expect(decoder.buffered).toBe(0);
  });
});
