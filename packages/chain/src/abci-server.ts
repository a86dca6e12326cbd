import { chmodSync, type Stats } from "node:fs";
import { lstat, unlink } from "node:fs/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { isNymError, type Logger } from "@nym-ts/common";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";

/** Requests answered per connection before letting the other connections in. */
const SLICE = 64;
/** Queued requests per connection above which the socket stops being read until the backlog is answered. */
const MAX_BACKLOG = 20_000;

/** Largest frame accepted: well above CometBFT's 100 MiB max block size, far below what would exhaust memory. */
export const MAX_FRAME_BYTES = 128 * 1024 * 1024;

/** A response the handler already encoded and framed (see `encodeFinalizeBlockResponse`); sent as is. */
export class EncodedResponse {
  constructor(readonly frame: Uint8Array) {}
}

/** Answers one request. Synchronous on purpose: with no await inside, requests from the four connections are
 * processed one at a time in arrival order, which is the global lock the Go server takes, for free. */
export type AbciHandler = (request: Request) => Response | EncodedResponse;

export class AbciFrameError extends Error {}

/** What a CheckTx answer carries back to CometBFT (the rest of ResponseCheckTx stays empty). */
export interface CheckTxAnswer {
  code: number;
  log: string;
  codespace: string;
}

/** CheckTx without the generic protobuf objects: the request's tx and type (0 NEW, 1 RECHECK), the answer. */
export type CheckTxHandler = (tx: Uint8Array, type: number) => CheckTxAnswer;

/** The gas_wanted every CheckTx answer reports. */
export const CHECK_TX_GAS_WANTED = 1;

function uvarintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    len++;
  }
  return len;
}

function writeUvarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[at++] = n;
  return at;
}

/** Reads a uvarint of at most 7 bytes (below 2^49, plenty for lengths and enums); undefined when truncated or longer. */
function readUvarint(bytes: Uint8Array, at: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7 && at < end; i++) {
    const byte = bytes[at++] as number;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: at };
    scale *= 0x80;
  }
  return undefined;
}

/** Appends the uvarint length prefix CometBFT expects (0.37+, unsigned, not zigzag). */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(uvarintLength(message.length) + message.length);
  out.set(message, writeUvarint(out, 0, message.length));
  return out;
}

// Protobuf tags (field number << 3 | wire type) of the two messages the fast path handles.
const TAG_REQUEST_CHECK_TX = (8 << 3) | 2; // Request.check_tx
const TAG_CHECK_TX_TX = (1 << 3) | 2; // RequestCheckTx.tx
const TAG_CHECK_TX_TYPE = (2 << 3) | 0; // RequestCheckTx.type
const TAG_RESPONSE_CHECK_TX = (9 << 3) | 2; // Response.check_tx
const TAG_RESULT_CODE = (1 << 3) | 0; // ResponseCheckTx.code
const TAG_RESULT_LOG = (3 << 3) | 2; // ResponseCheckTx.log
const TAG_RESULT_GAS_WANTED = (5 << 3) | 0; // ResponseCheckTx.gas_wanted
const TAG_RESULT_CODESPACE = (8 << 3) | 2; // ResponseCheckTx.codespace

/**
 * Decodes a Request frame body that is exactly a CheckTx (`tx` and `type`, each at most once, nothing else), which
 * is what CometBFT sends for every tx and every recheck. Anything else, or anything unusual, gives undefined and goes
 * through the generic decoder, so this only ever agrees with `Request.decode`. The tx is a view into the frame.
 */
export function decodeCheckTxRequest(frame: Uint8Array): { tx: Uint8Array; type: number } | undefined {
  if (frame[0] !== TAG_REQUEST_CHECK_TX) return undefined;
  const outer = readUvarint(frame, 1, frame.length);
  if (!outer || outer.next + outer.value !== frame.length) return undefined;
  let at = outer.next;
  let tx: Uint8Array | undefined;
  let type: number | undefined;
  while (at < frame.length) {
    const tag = frame[at++];
    if (tag === TAG_CHECK_TX_TX && tx === undefined) {
      const len = readUvarint(frame, at, frame.length);
      if (!len || len.next + len.value > frame.length) return undefined;
      tx = frame.subarray(len.next, len.next + len.value);
      at = len.next + len.value;
    } else if (tag === TAG_CHECK_TX_TYPE && type === undefined) {
      const value = readUvarint(frame, at, frame.length);
      // CheckTxType is NEW (0) or RECHECK (1); another value is left to the generic decoder.
      if (!value || value.value > 1) return undefined;
      type = value.value;
      at = value.next;
    } else return undefined;
  }
  return { tx: tx ?? frame.subarray(frame.length), type: type ?? 0 };
}

/** Bytes of a uvarint field (tag, value), or 0 for a zero value (proto3 leaves it out). */
const varintField = (value: number): number => (value === 0 ? 0 : 1 + uvarintLength(value));
/** Bytes of a length-delimited field (tag, length, body), or 0 for an empty one (proto3 leaves it out). */
const delimited = (len: number): number => (len === 0 ? 0 : 1 + uvarintLength(len) + len);
/** Bytes of an embedded message field: written even when the message is empty. */
const embedded = (len: number): number => 1 + uvarintLength(len) + len;

/**
 * Writes protobuf fields, in order, into a buffer the encoder sized beforehand. Field tags here are single bytes
 * (field numbers up to 15); zero numbers and empty strings are left out, as proto3 encoders do.
 */
class FieldWriter {
  at = 0;
  constructor(readonly out: Buffer) {}
  uvarint(value: number): void {
    this.at = writeUvarint(this.out, this.at, value);
  }
  varint(tag: number, value: number): void {
    if (value === 0) return;
    this.out[this.at++] = tag;
    this.uvarint(value);
  }
  string(tag: number, value: string): void {
    if (value === "") return;
    this.out[this.at++] = tag;
    this.uvarint(Buffer.byteLength(value));
    this.at += this.out.write(value, this.at, "utf8");
  }
  bytes(tag: number, value: Uint8Array): void {
    if (value.length === 0) return;
    this.out[this.at++] = tag;
    this.uvarint(value.length);
    this.out.set(value, this.at);
    this.at += value.length;
  }
  /** The start of an embedded message of `size` bytes (its fields follow). */
  message(tag: number, size: number): void {
    this.out[this.at++] = tag;
    this.uvarint(size);
  }
  /** The buffer, after checking that exactly its size was written. */
  done(what: string): Buffer {
    if (this.at !== this.out.length) throw new Error(`${what} encoding wrote ${this.at} of ${this.out.length} bytes`);
    return this.out;
  }
}

/**
 * The framed Response for a CheckTx answer, byte for byte what `encodeFrame(Response.encode(...))` gives for
 * `{ checkTx: { code, log, codespace, gasWanted: 1n } }`, in one allocation and without the protobuf writer's
 * objects (the generic path costs about 6 us per answer, and every tx is answered once per recheck).
 */
export function encodeCheckTxResponse(answer: CheckTxAnswer): Uint8Array {
  const code = answer.code >>> 0;
  const inner =
    varintField(code) +
    delimited(Buffer.byteLength(answer.log)) +
    varintField(CHECK_TX_GAS_WANTED) +
    delimited(Buffer.byteLength(answer.codespace));
  const body = embedded(inner);
  const w = new FieldWriter(Buffer.allocUnsafe(uvarintLength(body) + body));
  w.uvarint(body);
  w.message(TAG_RESPONSE_CHECK_TX, inner);
  w.varint(TAG_RESULT_CODE, code);
  w.string(TAG_RESULT_LOG, answer.log);
  w.varint(TAG_RESULT_GAS_WANTED, CHECK_TX_GAS_WANTED);
  w.string(TAG_RESULT_CODESPACE, answer.codespace);
  return w.done("CheckTx");
}

/** An ABCI event as FinalizeBlock answers carry them (the ledger's events have exactly this shape). */
export interface AbciEvent {
  type: string;
  attributes: readonly { key: string; value: string; index: boolean }[];
}

/** One tx's result in a FinalizeBlock answer; `data` and `info` stay empty, gas_wanted and gas_used are `gas`. */
export interface FinalizeTxAnswer {
  code: number;
  log: string;
  codespace: string;
  events: readonly AbciEvent[];
}

/** The gas_wanted and gas_used of every tx result in a FinalizeBlock answer. */
export const FINALIZE_TX_GAS = 1;

const TAG_RESPONSE_FINALIZE_BLOCK = [0xaa, 0x01]; // Response.finalize_block: field 21, wire type 2 (170 as a uvarint)
const TAG_FB_TX_RESULTS = (2 << 3) | 2; // ResponseFinalizeBlock.tx_results
const TAG_FB_APP_HASH = (5 << 3) | 2; // ResponseFinalizeBlock.app_hash
const TAG_TX_CODE = (1 << 3) | 0; // ExecTxResult.code
const TAG_TX_LOG = (3 << 3) | 2; // ExecTxResult.log
const TAG_TX_GAS_WANTED = (5 << 3) | 0; // ExecTxResult.gas_wanted
const TAG_TX_GAS_USED = (6 << 3) | 0; // ExecTxResult.gas_used
const TAG_TX_EVENTS = (7 << 3) | 2; // ExecTxResult.events
const TAG_TX_CODESPACE = (8 << 3) | 2; // ExecTxResult.codespace
const TAG_EVENT_TYPE = (1 << 3) | 2; // Event.type
const TAG_EVENT_ATTRIBUTES = (2 << 3) | 2; // Event.attributes
const TAG_ATTR_KEY = (1 << 3) | 2; // EventAttribute.key
const TAG_ATTR_VALUE = (2 << 3) | 2; // EventAttribute.value
const TAG_ATTR_INDEX = (3 << 3) | 0; // EventAttribute.index

/**
 * The framed Response for a FinalizeBlock answer, byte for byte what `encodeFrame(Response.encode(...))` gives for
 * `{ finalizeBlock: { events: [], txResults, validatorUpdates: [], appHash } }` with every tx result's `data` and
 * `info` empty and its gas_wanted and gas_used `FINALIZE_TX_GAS`: sizes first, then one buffer written in place.
 * The generic encoder forks a writer per sub-message and cost about 11 us per tx of a block with the ledger's events.
 */
export function encodeFinalizeBlockResponse(txResults: readonly FinalizeTxAnswer[], appHash: Uint8Array): Uint8Array {
  // Pass 1: the size of every sub-message, in the order pass 2 writes them.
  const sizes: number[] = [];
  let body = 0;
  for (const r of txResults) {
    const slot = sizes.length;
    sizes.push(0);
    let tx =
      varintField(r.code >>> 0) +
      delimited(Buffer.byteLength(r.log)) +
      2 * varintField(FINALIZE_TX_GAS) +
      delimited(Buffer.byteLength(r.codespace));
    for (const e of r.events) {
      const eslot = sizes.length;
      sizes.push(0);
      let ev = delimited(Buffer.byteLength(e.type));
      for (const a of e.attributes) {
        const attr = delimited(Buffer.byteLength(a.key)) + delimited(Buffer.byteLength(a.value)) + (a.index ? 2 : 0);
        sizes.push(attr);
        ev += embedded(attr);
      }
      sizes[eslot] = ev;
      tx += embedded(ev);
    }
    sizes[slot] = tx;
    body += embedded(tx);
  }
  body += delimited(appHash.length);
  const response = TAG_RESPONSE_FINALIZE_BLOCK.length + uvarintLength(body) + body;
  const w = new FieldWriter(Buffer.allocUnsafe(uvarintLength(response) + response));

  // Pass 2: write.
  w.uvarint(response);
  for (const b of TAG_RESPONSE_FINALIZE_BLOCK) w.out[w.at++] = b;
  w.uvarint(body);
  let next = 0;
  for (const r of txResults) {
    w.message(TAG_FB_TX_RESULTS, sizes[next++] as number);
    w.varint(TAG_TX_CODE, r.code >>> 0);
    w.string(TAG_TX_LOG, r.log);
    w.varint(TAG_TX_GAS_WANTED, FINALIZE_TX_GAS);
    w.varint(TAG_TX_GAS_USED, FINALIZE_TX_GAS);
    for (const e of r.events) {
      w.message(TAG_TX_EVENTS, sizes[next++] as number);
      w.string(TAG_EVENT_TYPE, e.type);
      for (const a of e.attributes) {
        w.message(TAG_EVENT_ATTRIBUTES, sizes[next++] as number);
        w.string(TAG_ATTR_KEY, a.key);
        w.string(TAG_ATTR_VALUE, a.value);
        w.varint(TAG_ATTR_INDEX, a.index ? 1 : 0);
      }
    }
    w.string(TAG_TX_CODESPACE, r.codespace);
  }
  w.bytes(TAG_FB_APP_HASH, appHash);
  return w.done("FinalizeBlock");
}

/**
 * Incremental uvarint-delimited frame reader. Chunks are kept in a list and joined once per frame, so a large
 * FinalizeBlock arriving in many TCP segments costs one copy, not one per segment.
 */
export class FrameReader {
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  readonly #maxFrame: number;

  constructor(maxFrame = MAX_FRAME_BYTES) {
    this.#maxFrame = maxFrame;
  }

  /** Adds bytes and returns every complete frame body. Throws AbciFrameError on a malformed length. */
  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      const header = this.#readLength();
      if (header === undefined) break;
      const { length, headerBytes } = header;
      if (this.#buffered < headerBytes + length) break;
      const all = this.#take(headerBytes + length);
      frames.push(all.subarray(headerBytes));
    }
    return frames;
  }

  #readLength(): { length: number; headerBytes: number } | undefined {
    let value = 0;
    let shift = 0;
    let i = 0;
    for (const chunk of this.#chunks) {
      for (let j = 0; j < chunk.length; j++) {
        const byte = chunk[j] as number;
        i++;
        value += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if ((byte & 0x80) === 0) {
          if (value > this.#maxFrame) throw new AbciFrameError(`frame length ${value} exceeds ${this.#maxFrame}`);
          return { length: value, headerBytes: i };
        }
        if (i >= 5 && value > this.#maxFrame) throw new AbciFrameError("frame length varint too large");
        if (i >= 10) throw new AbciFrameError("frame length varint longer than 10 bytes");
      }
    }
    return undefined;
  }

  #take(n: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.#chunks, this.#buffered);
      out = joined.subarray(0, n);
      this.#chunks.length = 0;
      if (joined.length > n) this.#chunks.push(joined.subarray(n));
    }
    this.#buffered -= n;
    return out;
  }
}

export interface AbciServerStats {
  connections: number;
  requests: number;
  /** Socket reads (each wakes the process): requests / reads is how well CometBFT's writes batch. */
  reads: number;
  garbageFrames: number;
}

export interface AbciServer {
  readonly stats: AbciServerStats;
  listen(port: number, host: string): Promise<{ port: number; host: string }>;
  /** Listens on a Unix domain socket instead (CometBFT: `proxy_app = unix://<path>`), created with mode 0600 so only
   * this user's processes can talk to the app. A stale socket file left by a killed process is replaced. */
  listenUnix(path: string): Promise<{ path: string }>;
  close(): Promise<void>;
}

/**
 * ABCI 2.0 socket server. CometBFT opens four connections (query, snapshot, mempool, consensus); on each it pipelines
 * requests and expects responses in the same order. A frame that does not decode closes that connection only, with
 * an error logged; the process and the other connections carry on.
 */
export function createAbciServer(
  handler: AbciHandler,
  log: Logger,
  options: {
    /** Answers CheckTx requests without the generic protobuf objects; `handler` still gets every other request. */
    checkTx?: CheckTxHandler;
  } = {},
): AbciServer {
  const fastCheckTx = options.checkTx;
  const stats: AbciServerStats = { connections: 0, requests: 0, reads: 0, garbageFrames: 0 };
  const sockets = new Set<Socket>();
  let nextId = 0;
  const server: Server = createServer((socket) => {
    const id = ++nextId;
    const clog = log.child({ conn: id });
    sockets.add(socket);
    stats.connections++;
    socket.setNoDelay(true);
    clog.debug({ remote: `${socket.remoteAddress}:${socket.remotePort}` }, "abci connection opened");
    const reader = new FrameReader();
    // Frames wait here and are answered at most SLICE at a time per turn of the event loop, so a burst of CheckTx on
    // the mempool connection (a recheck of the whole mempool) cannot hold up ProcessProposal or FinalizeBlock on the
    // consensus connection. Each connection keeps its own order; each request is still handled whole.
    const queue: Buffer[] = [];
    let head = 0;
    let scheduled = false;
    let closed = false;
    // The answers of one slice go out in a single write (one syscall, not one per request).
    const out: Uint8Array[] = [];
    const flush = (): void => {
      if (out.length === 0) return;
      socket.write(out.length === 1 ? (out[0] as Uint8Array) : Buffer.concat(out));
      out.length = 0;
    };
    const drain = (): void => {
      scheduled = false;
      if (closed) return;
      const end = Math.min(queue.length, head + SLICE);
      for (; head < end; head++) {
        if (!answer(queue[head] as Buffer)) {
          flush();
          closed = true;
          socket.destroy();
          return;
        }
      }
      flush();
      if (head < queue.length) {
        scheduled = true;
        setImmediate(drain);
      } else {
        queue.length = 0;
        head = 0;
        if (socket.isPaused()) socket.resume();
      }
    };
    const answer = (frame: Buffer): boolean => {
      const checkTx = fastCheckTx ? decodeCheckTxRequest(frame) : undefined;
      if (fastCheckTx && checkTx) {
        stats.requests++;
        try {
          out.push(encodeCheckTxResponse(fastCheckTx(checkTx.tx, checkTx.type)));
        } catch (error) {
          clog.error({ err: error, request: "checkTx" }, "abci handler failed");
          out.push(exceptionFrame(error));
        }
        return true;
      }
      let request: Request;
      try {
        request = Request.decode(frame);
      } catch (error) {
        stats.garbageFrames++;
        clog.error({ err: error, bytes: frame.length }, "undecodable abci request, closing connection");
        return false;
      }
      if (requestKind(request) === "empty") {
        stats.garbageFrames++;
        clog.error({ bytes: frame.length }, "abci request with no known method, closing connection");
        return false;
      }
      stats.requests++;
      let response: Response | EncodedResponse;
      try {
        response = handler(request);
      } catch (error) {
        // An exception tells CometBFT the app is broken; it stops the node, which is the safe outcome.
        clog.error({ err: error, request: requestKind(request) }, "abci handler failed");
        out.push(exceptionFrame(error));
        return true;
      }
      out.push(response instanceof EncodedResponse ? response.frame : encodeFrame(Response.encode(response).finish()));
      return true;
    };
    socket.on("data", (chunk: Buffer) => {
      if (closed) return;
      stats.reads++;
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch (error) {
        stats.garbageFrames++;
        clog.error({ err: error }, "malformed abci frame, closing connection");
        closed = true;
        socket.destroy();
        return;
      }
      if (frames.length === 0) return;
      for (const f of frames) queue.push(f);
      // Bound memory: stop reading while a long backlog is answered.
      if (queue.length - head > MAX_BACKLOG) socket.pause();
      if (!scheduled) drain();
    });
    socket.on("error", (error) => clog.debug({ err: error }, "abci connection error"));
    socket.on("close", () => {
      sockets.delete(socket);
      clog.debug("abci connection closed");
    });
  });
  server.on("error", (error) => log.error({ err: error }, "abci server error"));

  return {
    stats,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address();
          const bound = typeof address === "object" && address ? address.port : port;
          resolve({ port: bound, host });
        });
      }),
    listenUnix: async (path) => {
      await removeStaleSocket(path);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        // The umask makes the socket 0600 from its creation: no window in which another user could connect. A
        // worker thread may not change the process's umask; there the socket is chmod-ed right after the bind.
        let umask: number | undefined;
        try {
          umask = process.umask(0o177);
        } catch {
          umask = undefined;
        }
        try {
          server.listen(path, () => {
            server.off("error", reject);
            if (umask === undefined) chmodSync(path, 0o600);
            resolve();
          });
        } finally {
          if (umask !== undefined) process.umask(umask);
        }
      });
      return { path };
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}

/**
 * Removes a socket file nobody listens on any more (the app was killed), so the next listen does not fail with
 * EADDRINUSE. A path that is not a socket, or one a live process still accepts on, is left alone (listen then fails).
 */
async function removeStaleSocket(path: string): Promise<void> {
  let info: Stats;
  try {
    info = await lstat(path);
  } catch {
    return;
  }
  if (!info.isSocket()) return;
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect({ path });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (!live) await unlink(path).catch(() => {});
}

/**
 * An exception tells CometBFT the app is broken; it stops the node, which is the safe outcome. A coded error's code
 * leads the text, so CometBFT's log names it too.
 */
function exceptionFrame(error: unknown): Uint8Array {
  const code = isNymError(error) ? `${error.code}: ` : "";
  const response = Response.fromPartial({
    exception: { error: error instanceof Error ? `${code}${error.message}` : String(error) },
  });
  return encodeFrame(Response.encode(response).finish());
}

export function requestKind(request: Request): string {
  for (const key in request) if (request[key as keyof Request] !== undefined) return key;
  return "empty";
}
