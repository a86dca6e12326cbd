/**
 * Splits a link's byte stream (`u32 big-endian length ‖ frame`, repeated) into frames, chunk by chunk. Whole frames
 * inside a chunk are handed out as views of it (every consumer copies what it keeps); a frame that straddles chunks is
 * assembled in one buffer of exactly its length, allocated once its length prefix is known, and filled as its bytes
 * arrive (no growing copies, and the next chunk is not copied along with it). So a link holds at most one partial
 * frame of at most `maxFrame` bytes, and a frame costs at most one allocation however finely it is cut. A length of 0
 * or above `maxFrame` is malformed: `push` returns the offending length and the decoder must not be used again.
 */
export class FrameDecoder {
  /** The length prefix of a frame begun in an earlier chunk, while fewer than 4 of its bytes have arrived. */
  private readonly prefix = Buffer.alloc(4);
  private prefixFill = 0;
  /** The frame begun in an earlier chunk, once its length is known; `filled` of its bytes have arrived. */
  private partial: Buffer | undefined;
  private filled = 0;

  constructor(
    private readonly maxFrame: number,
    private readonly onFrame: (frame: Uint8Array) => void,
  ) {}

  /** Bytes held of an incomplete frame (its prefix included). */
  get buffered(): number {
    return this.partial !== undefined ? 4 + this.filled : this.prefixFill;
  }

  /** Decodes what `chunk` completes; undefined when all is well, the refused length when a prefix is malformed. */
  push(chunk: Uint8Array): number | undefined {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let offset = 0;
    // First the frame (or prefix) an earlier chunk began.
    if (this.prefixFill > 0 && this.partial === undefined) {
      const take = Math.min(4 - this.prefixFill, buf.length);
      buf.copy(this.prefix, this.prefixFill, 0, take);
      this.prefixFill += take;
      offset = take;
      if (this.prefixFill < 4) return undefined;
      const len = this.prefix.readUInt32BE(0);
      this.prefixFill = 0;
      if (len === 0 || len > this.maxFrame) return this.refuse(len);
      this.partial = Buffer.allocUnsafe(len);
      this.filled = 0;
    }
    if (this.partial !== undefined) {
      const take = Math.min(this.partial.length - this.filled, buf.length - offset);
      buf.copy(this.partial, this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
      if (this.filled < this.partial.length) return undefined;
      const frame = this.partial;
      this.partial = undefined;
      this.filled = 0;
      this.onFrame(frame);
    }
    // Then every frame that lies whole in this chunk, as a view.
    while (buf.length - offset >= 4) {
      const len = buf.readUInt32BE(offset);
      if (len === 0 || len > this.maxFrame) return this.refuse(len);
      if (buf.length - offset - 4 < len) {
        // A frame that continues in the next chunk: its buffer now, at its full length.
        this.partial = Buffer.allocUnsafe(len);
        this.filled = buf.copy(this.partial, 0, offset + 4);
        return undefined;
      }
      offset += 4 + len;
      this.onFrame(buf.subarray(offset - len, offset));
    }
    // Fewer than 4 bytes left: the start of the next length prefix.
    if (offset < buf.length) this.prefixFill = buf.copy(this.prefix, 0, offset);
    return undefined;
  }

  private refuse(len: number): number {
    this.partial = undefined;
    this.filled = 0;
    this.prefixFill = 0;
    return len;
  }
}
