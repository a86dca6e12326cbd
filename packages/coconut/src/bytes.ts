/** Byte-level helpers for the strict wire encodings and the Fiat-Shamir transcripts. */
import { bytesToBigInt, R, SCALAR_BYTES, scalarToBytes } from "./fr.js";

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function u8(n: number): Uint8Array {
  return Uint8Array.of(n);
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff);
}

export function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Growable writer used by the encoders and transcripts. */
export class Writer {
  private readonly parts: Uint8Array[] = [];
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
  u8(n: number): this {
    return this.bytes(u8(n));
  }
  u16(n: number): this {
    return this.bytes(u16(n));
  }
  u32(n: number): this {
    return this.bytes(u32(n));
  }
  scalar(x: bigint): this {
    return this.bytes(scalarToBytes(x));
  }
  /** u32 length prefix then the bytes. */
  varBytes(b: Uint8Array): this {
    return this.u32(b.length).bytes(b);
  }
  finish(): Uint8Array {
    return concat(this.parts);
  }
}

/** Strict reader: every read checks bounds; `end()` rejects trailing bytes. Errors name the object being decoded. */
export class Reader {
  private offset = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly name: string,
  ) {}
  take(n: number, what: string): Uint8Array {
    if (this.offset + n > this.data.length) {
      throw new RangeError(`${this.name}: truncated (need ${n} bytes for ${what} at offset ${this.offset})`);
    }
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(what: string): number {
    return this.take(1, what)[0] as number;
  }
  u16(what: string): number {
    const b = this.take(2, what);
    return ((b[0] as number) << 8) | (b[1] as number);
  }
  /** A canonical 32-byte big-endian scalar (< r). */
  scalar(what: string): bigint {
    const x = bytesToBigInt(this.take(SCALAR_BYTES, what));
    if (x >= R) throw new RangeError(`${this.name}: non-canonical scalar for ${what}`);
    return x;
  }
  end(): void {
    if (this.offset !== this.data.length) {
      throw new RangeError(`${this.name}: ${this.data.length - this.offset} trailing bytes`);
    }
  }
}

export function assertBytes(x: unknown, name: string): asserts x is Uint8Array {
  if (!(x instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
}

export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError("hex: expected an even-length hex string");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
