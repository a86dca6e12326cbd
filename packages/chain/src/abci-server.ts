import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "@nym-ts/common";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";

/** Requests answered per connection before letting the other connections in. */
const SLICE = 64;
/** Queued requests per connection above which the socket stops being read until the backlog is answered. */
const MAX_BACKLOG = 20_000;

/** Largest frame accepted: well above CometBFT's 100 MiB max block size, far below what would exhaust memory. */
export const MAX_FRAME_BYTES = 128 * 1024 * 1024;

/** Answers one request. Synchronous on purpose: with no await inside, requests from the four connections are
 * processed one at a time in arrival order, which is the global lock the Go server takes, for free. */
export type AbciHandler = (request: Request) => Response;

export class AbciFrameError extends Error {}

/** Appends the uvarint length prefix CometBFT expects (0.37+, unsigned, not zigzag). */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let n = message.length;
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  prefix.push(n);
  const out = new Uint8Array(prefix.length + message.length);
  out.set(prefix, 0);
  out.set(message, prefix.length);
  return out;
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
  garbageFrames: number;
}

export interface AbciServer {
  readonly stats: AbciServerStats;
  listen(port: number, host: string): Promise<{ port: number; host: string }>;
  close(): Promise<void>;
}

/**
 * ABCI 2.0 socket server. CometBFT opens four connections (query, snapshot, mempool, consensus); on each it pipelines
 * requests and expects responses in the same order. A frame that does not decode closes that connection only, with
 * an error logged; the process and the other connections carry on.
 */
export function createAbciServer(handler: AbciHandler, log: Logger): AbciServer {
  const stats: AbciServerStats = { connections: 0, requests: 0, garbageFrames: 0 };
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
    const drain = (): void => {
      scheduled = false;
      if (closed) return;
      const end = Math.min(queue.length, head + SLICE);
      socket.cork();
      try {
        for (; head < end; head++) {
          if (!answer(queue[head] as Buffer)) {
            closed = true;
            socket.destroy();
            return;
          }
        }
      } finally {
        socket.uncork();
      }
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
      let response: Response;
      try {
        response = handler(request);
      } catch (error) {
        // An exception tells CometBFT the app is broken; it stops the node, which is the safe outcome.
        clog.error({ err: error, request: requestKind(request) }, "abci handler failed");
        response = Response.fromPartial({
          exception: { error: error instanceof Error ? error.message : String(error) },
        });
      }
      socket.write(encodeFrame(Response.encode(response).finish()));
      return true;
    };
    socket.on("data", (chunk: Buffer) => {
      if (closed) return;
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
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}

export function requestKind(request: Request): string {
  for (const [key, value] of Object.entries(request)) if (value !== undefined) return key;
  return "empty";
}
