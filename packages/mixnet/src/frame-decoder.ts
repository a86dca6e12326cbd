/**
 * Splits a link's byte stream (`u32 big-endian length ‖ frame`, repeated) into frames, chunk by chunk. Whole frames
 * inside a chunk are handed out as views of it (every consumer copies what it keeps); only a frame that straddles
 * chunks is assembled in a copy, from just its own bytes (the next chunk is not copied along with it). A length of 0 or
 * above `maxFrame` is malformed: `push` returns the offending length and the decoder must not be used again.
 */
export class FrameDecoder {
  /** Bytes of a frame (prefix included) begun in an earlier chunk; a copy. */
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly maxFrame: number,
    private readonly onFrame: (frame: Uint8Array) => void,
  ) {}

  /** Bytes held of an incomplete frame. */
  get buffered(): number {
    return this.carry.length;
  }

  /** Decodes what `chunk` completes; undefined when all is well, the refused length when a prefix is malformed. */
  push(chunk: Uint8Array): number | undefined {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (this.carry.length > 0 && buf.length > 0) {
      const need = this.carry.length < 4 ? 4 - this.carry.length : 4 + this.carry.readUInt32BE(0) - this.carry.length;
      const take = Math.min(need, buf.length);
      this.carry = Buffer.concat([this.carry, buf.subarray(0, take)]);
      buf = buf.subarray(take);
      if (this.carry.length < 4) continue;
      const len = this.carry.readUInt32BE(0);
      if (len === 0 || len > this.maxFrame) return this.refuse(len);
      if (this.carry.length === 4 + len) {
        const frame = this.carry.subarray(4);
        this.carry = Buffer.alloc(0);
        this.onFrame(frame);
      }
    }
    let offset = 0;
    while (buf.length - offset >= 4) {
      const len = buf.readUInt32BE(offset);
      if (len === 0 || len > this.maxFrame) return this.refuse(len);
      if (buf.length - offset - 4 < len) break;
      offset += 4 + len;
      this.onFrame(buf.subarray(offset - len, offset));
    }
    // A partial frame at the end is kept as a copy, so the chunk it came from is not held alive.
    if (offset < buf.length) this.carry = Buffer.from(buf.subarray(offset));
    return undefined;
  }

  private refuse(len: number): number {
    this.carry = Buffer.alloc(0);
    return len;
  }
}
