/**
 * Keyed BLAKE2b (RFC 7693) for Lioness on the node backend (the sodium backend uses libsodium's crypto_generichash).
 * node:crypto only offers unkeyed BLAKE2b-512, and Lioness needs BLAKE2b-256 keyed with a 64-byte key, so the
 * compression function is compiled here to a tiny WebAssembly module (built in memory from the bytecode below at load
 * time; no files, no dependencies). WebAssembly has native 64-bit adds, xors and rotates, which is what BLAKE2b is
 * made of: ~5x faster than the same algorithm in JavaScript's 32-bit halves.
 *
 * Module: one memory (state h at 0..64, input at DATA..), one function `hash(len)` that compresses `len` bytes at DATA
 * (already zero-padded to a multiple of 128 by the caller, key block included) into h with the final flag on the
 * last block.
 */

const IV = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
];

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

const DATA = 128;
const BLOCK = 128;

function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb64(x: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asIntN(64, x);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const signBit = (byte & 0x40) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function buildModule(): Uint8Array {
  // local indices: 0 len (param, i32), 1 p (i32), 2 rem (i32), 3 t (i64), 4 f (i64), 5..20 v, 21..36 m
  const P = 1;
  const REM = 2;
  const T = 3;
  const F = 4;
  const V = (i: number) => 5 + i;
  const M = (i: number) => 21 + i;
  const c: number[] = [];
  const get = (i: number) => c.push(0x20, ...uleb(i));
  const set = (i: number) => c.push(0x21, ...uleb(i));
  const i64add = () => c.push(0x7c);
  const i64xor = () => c.push(0x85);
  const i64rotr = (n: number) => c.push(0x42, ...sleb64(BigInt(n)), 0x8a);
  const i32c = (n: number) => c.push(0x41, ...sleb64(BigInt(n)));
  const i64c = (n: bigint) => c.push(0x42, ...sleb64(n));

  // p = DATA; rem = len; t = 0
  i32c(DATA);
  set(P);
  get(0);
  set(REM);
  i64c(0n);
  set(T);
  c.push(0x03, 0x40); // loop
  // if rem > 128 { t += 128; f = 0; rem -= 128 } else { t += rem; f = -1; rem = 0 }
  get(REM);
  i32c(BLOCK);
  c.push(0x4b); // i32.gt_u
  c.push(0x04, 0x40); // if
  get(T);
  i64c(BigInt(BLOCK));
  i64add();
  set(T);
  i64c(0n);
  set(F);
  get(REM);
  i32c(BLOCK);
  c.push(0x6b); // i32.sub
  set(REM);
  c.push(0x05); // else
  get(T);
  get(REM);
  c.push(0xad); // i64.extend_i32_u
  i64add();
  set(T);
  i64c(-1n);
  set(F);
  i32c(0);
  set(REM);
  c.push(0x0b); // end if
  // m_i = load(p + 8i)
  for (let i = 0; i < 16; i++) {
    get(P);
    c.push(0x29, 3, ...uleb(8 * i)); // i64.load align=8 offset
    set(M(i));
  }
  // v0..7 = h, v8..15 = IV; v12 ^= t; v14 ^= f (v13 ^= t_hi = 0 for inputs under 2^64 bytes)
  for (let i = 0; i < 8; i++) {
    i32c(0);
    c.push(0x29, 3, ...uleb(8 * i));
    set(V(i));
    i64c(IV[i]!);
    set(V(8 + i));
  }
  get(V(12));
  get(T);
  i64xor();
  set(V(12));
  get(V(14));
  get(F);
  i64xor();
  set(V(14));
  // One half of G: a = a + b + word; d = rotr(d ^ a, rotD); c = c + d; b = rotr(b ^ c, rotB).
  const mix = (a: number, b: number, cc: number, d: number, word: number, rotD: number, rotB: number) => {
    get(V(a));
    get(V(b));
    i64add();
    get(M(word));
    i64add();
    set(V(a));
    get(V(d));
    get(V(a));
    i64xor();
    i64rotr(rotD);
    set(V(d));
    get(V(cc));
    get(V(d));
    i64add();
    set(V(cc));
    get(V(b));
    get(V(cc));
    i64xor();
    i64rotr(rotB);
    set(V(b));
  };
  const g = (a: number, b: number, cc: number, d: number, x: number, y: number) => {
    mix(a, b, cc, d, x, 32, 24);
    mix(a, b, cc, d, y, 16, 63);
  };
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10]!;
    g(0, 4, 8, 12, s[0]!, s[1]!);
    g(1, 5, 9, 13, s[2]!, s[3]!);
    g(2, 6, 10, 14, s[4]!, s[5]!);
    g(3, 7, 11, 15, s[6]!, s[7]!);
    g(0, 5, 10, 15, s[8]!, s[9]!);
    g(1, 6, 11, 12, s[10]!, s[11]!);
    g(2, 7, 8, 13, s[12]!, s[13]!);
    g(3, 4, 9, 14, s[14]!, s[15]!);
  }
  // h_i ^= v_i ^ v_{i+8}
  for (let i = 0; i < 8; i++) {
    i32c(0);
    i32c(0);
    c.push(0x29, 3, ...uleb(8 * i));
    get(V(i));
    i64xor();
    get(V(8 + i));
    i64xor();
    c.push(0x37, 3, ...uleb(8 * i)); // i64.store
  }
  // p += 128; continue while f == 0
  get(P);
  i32c(BLOCK);
  c.push(0x6a);
  set(P);
  get(F);
  c.push(0x50); // i64.eqz
  c.push(0x0d, 0); // br_if 0 (loop)
  c.push(0x0b); // end loop
  c.push(0x0b); // end function

  const locals = [2, 2, 0x7f, 34, 0x7e];
  const body = [...locals, ...c];
  const funcBody = [...uleb(body.length), ...body];
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...name("mem"), 2, 0, ...name("hash"), 0, 0]),
    ...section(10, [1, ...funcBody]),
  ]);
}

// The project compiles without DOM typings, so describe the few WebAssembly members used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const instance = new wasm.Instance(new wasm.Module(buildModule()));
const memory = instance.exports.mem as WasmMemory;
const wasmHash = instance.exports.hash as (len: number) => void;
let heap = new Uint8Array(memory.buffer);

function initialState(keyLength: number, outLength: number): Uint8Array {
  const state = new Uint8Array(64);
  const view = new DataView(state.buffer);
  for (let i = 0; i < 8; i++) view.setBigUint64(8 * i, IV[i]!, true);
  const p0 = 0x01010000 ^ (keyLength << 8) ^ outLength;
  view.setUint32(0, view.getUint32(0, true) ^ p0, true);
  return state;
}

const stateCache = new Map<number, Uint8Array>();

/**
 * BLAKE2b with an optional key (0..64 bytes) and output length 1..64 bytes. Writes into `out` when given.
 * Not re-entrant across threads (one module instance per thread, as every ESM module is).
 */
export function blake2b(data: Uint8Array, key: Uint8Array, outLength: number, out?: Uint8Array): Uint8Array {
  const cacheKey = key.length * 256 + outLength;
  let state = stateCache.get(cacheKey);
  if (state === undefined) {
    state = initialState(key.length, outLength);
    stateCache.set(cacheKey, state);
  }
  const keyBlock = key.length > 0 ? BLOCK : 0;
  const total = keyBlock + data.length;
  const padded = Math.max(BLOCK, Math.ceil(total / BLOCK) * BLOCK);
  const needed = DATA + padded;
  if (needed > heap.length) {
    memory.grow(Math.ceil((needed - heap.length) / 65536));
    heap = new Uint8Array(memory.buffer);
  }
  heap.set(state, 0);
  if (keyBlock > 0) {
    heap.set(key, DATA);
    heap.fill(0, DATA + key.length, DATA + BLOCK);
  }
  heap.set(data, DATA + keyBlock);
  heap.fill(0, DATA + total, DATA + padded);
  wasmHash(total);
  const result = out ?? new Uint8Array(outLength);
  result.set(heap.subarray(0, outLength));
  return result;
}
