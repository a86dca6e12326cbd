import { closeSync, fstatSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@nym-ts/common";
import { z } from "zod";

/**
 * Traffic observation: what a global passive adversary sees of a node, recorded by the node itself when its config
 * asks for it (`[observe] enabled = true`, off by default), for measuring the mixnet's privacy on our own traffic
 * (packages/privacy, docs/privacy.md).
 *
 * Per packet on a link: the time, the link's two ends (this node and the neighbour's public identity key, the
 * adversary's "IP address" of the neighbour) and the size on the wire. Never keys, contents, headers, routes or
 * delays: only what a watcher of every link sees anyway.
 *
 * The file (`observe.trace` in the data directory, mode 0600) is appended to, buffered (64 KiB) and bounded
 * (`maxBytes`: recording stops there). Format, little-endian, a sequence of records:
 *
 * | record | bytes |
 * |---|---|
 * | session | `0x00`, version `u8` (1), role `u8` (0 gateway, 1..3 mix layer), key length `u8`, identity key, started-at `f64` (ms since the epoch) |
 * | peer | `0x01`, index `u16`, key length `u8`, identity key (peer indices count from 0 in each session) |
 * | packet | `0x02`, flags `u8` (bit 0: sent by this node, else received; bit 1: a client link), peer index `u16`, size `u32`, at `f64` (ms since the epoch, sub-millisecond) |
 *
 * A node opens a session record each time it starts, so one file may hold several sessions.
 */

export const TRACE_VERSION = 1;
export const TRACE_FILE = "observe.trace";
const RECORD_SESSION = 0;
const RECORD_PEER = 1;
const RECORD_PACKET = 2;
const FLAG_OUT = 1;
const FLAG_CLIENT = 2;
const PACKET_RECORD_BYTES = 16;
const BUFFER_BYTES = 64 * 1024;
const MAX_PEERS = 0xffff;

/** The config section of a mixnode and a gateway: `[observe]`. */
export const observeConfigSection = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Record per packet the time, the link (previous or next hop) and the size, what a global passive adversary sees, to a file in storage.dataDir (docs/privacy.md); never keys or contents",
      ),
    file: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a plain file name inside storage.dataDir (letters, digits, . _ -)")
      .max(128)
      .default(TRACE_FILE)
      .describe("File name of the trace inside storage.dataDir (appended to)"),
    maxBytes: z
      .int()
      .min(1024 * 1024)
      .max(2 ** 40)
      .default(512 * 1024 * 1024)
      .describe("Recording stops once the file reaches this size (16 bytes per packet)"),
  })
  .prefault({})
  .describe("Traffic observation for privacy measurements (off by default)");
export type ObserveConfig = z.output<typeof observeConfigSection>;

/** Where and how much a node records; undefined when observation is off. */
export interface ObserveOptions {
  path: string;
  maxBytes: number;
}

/** The recorder options of a node from its `[observe]` section and data directory. */
export function observeOptions(config: ObserveConfig, dataDir: string): ObserveOptions | undefined {
  return config.enabled ? { path: join(dataDir, config.file), maxBytes: config.maxBytes } : undefined;
}

/** The hook the packet engine and the gateway call; nothing is called when observation is off. */
export interface PacketObserver {
  /** One packet on the link to `peer`: `out` when this node sent it; `client` when the link is a client's. */
  packet(out: boolean, peer: Uint8Array, size: number, client: boolean): void;
}

/** The role byte of a session: a mix layer or a gateway. */
export type ObservedRole = number | "gateway";

export interface TraceRecorderStats {
  packets: number;
  /** Packets not recorded because the file reached `maxBytes` (or the peer table was full). */
  dropped: number;
  /** Write errors (recording stops after the first). */
  errors: number;
}

const now = (): number => performance.timeOrigin + performance.now();

/** Appends a node's observations to its trace file (see the format above). Never throws from `packet`. */
export class TraceRecorder implements PacketObserver {
  readonly stats: TraceRecorderStats = { packets: 0, dropped: 0, errors: 0 };
  private fd: number | undefined;
  private readonly buffer = Buffer.alloc(BUFFER_BYTES);
  private used = 0;
  /** Bytes in the file, flushed or not. */
  private size: number;
  private readonly peers = new Map<string, number>();
  /** The same key objects come back (topology entries, a link's peer id): found without encoding them. */
  private readonly peerObjects = new WeakMap<Uint8Array, number>();
  private full = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly options: ObserveOptions & { self: Uint8Array; role: ObservedRole; flushIntervalMs?: number },
    private readonly log: Logger,
  ) {
    this.fd = openSync(options.path, "a", 0o600);
    this.size = fstatSync(this.fd).size;
    const role = options.role === "gateway" ? 0 : options.role;
    if (!this.reserve(4 + options.self.length + 8)) {
      this.log.warn({ path: options.path, maxBytes: options.maxBytes }, "trace file full: nothing recorded");
    } else {
      this.buffer.writeUInt8(RECORD_SESSION, this.used);
      this.buffer.writeUInt8(TRACE_VERSION, this.used + 1);
      this.buffer.writeUInt8(role, this.used + 2);
      this.buffer.writeUInt8(options.self.length, this.used + 3);
      this.buffer.set(options.self, this.used + 4);
      this.buffer.writeDoubleLE(now(), this.used + 4 + options.self.length);
      this.commit(4 + options.self.length + 8);
    }
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  packet(out: boolean, peer: Uint8Array, size: number, client: boolean): void {
    const at = now();
    if (this.full || this.fd === undefined) {
      this.stats.dropped++;
      return;
    }
    let index = this.peerObjects.get(peer);
    if (index === undefined) {
      const key = Buffer.from(peer.buffer, peer.byteOffset, peer.byteLength).toString("latin1");
      index = this.peers.get(key);
      if (index !== undefined) this.peerObjects.set(peer, index);
    }
    if (index === undefined) {
      const key = Buffer.from(peer.buffer, peer.byteOffset, peer.byteLength).toString("latin1");
      if (this.peers.size >= MAX_PEERS || !this.reserve(4 + peer.length + PACKET_RECORD_BYTES)) {
        this.stats.dropped++;
        return;
      }
      index = this.peers.size;
      this.peers.set(key, index);
      this.peerObjects.set(peer, index);
      this.buffer.writeUInt8(RECORD_PEER, this.used);
      this.buffer.writeUInt16LE(index, this.used + 1);
      this.buffer.writeUInt8(peer.length, this.used + 3);
      this.buffer.set(peer, this.used + 4);
      this.commit(4 + peer.length);
    } else if (!this.reserve(PACKET_RECORD_BYTES)) {
      this.stats.dropped++;
      return;
    }
    const b = this.buffer;
    const o = this.used;
    b[o] = RECORD_PACKET;
    b[o + 1] = (out ? FLAG_OUT : 0) | (client ? FLAG_CLIENT : 0);
    b.writeUInt16LE(index, o + 2);
    b.writeUInt32LE(size >>> 0, o + 4);
    b.writeDoubleLE(at, o + 8);
    this.commit(PACKET_RECORD_BYTES);
    this.stats.packets++;
  }

  /** Writes what is buffered (a timer does it every second; `close` does it last). */
  flush(): void {
    if (this.fd === undefined || this.used === 0) return;
    try {
      let off = 0;
      while (off < this.used) off += writeSync(this.fd, this.buffer, off, this.used - off);
    } catch (error) {
      this.stats.errors++;
      this.full = true;
      this.log.warn({ path: this.options.path, err: (error as Error).message }, "trace write failed: recording stops");
    }
    this.used = 0;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Room for `bytes` more, flushing first when the buffer is full; false (and recording stops) past `maxBytes`. */
  private reserve(bytes: number): boolean {
    if (this.size + bytes > this.options.maxBytes) {
      if (!this.full) {
        this.full = true;
        this.log.warn({ path: this.options.path, maxBytes: this.options.maxBytes }, "trace file reached maxBytes");
      }
      return false;
    }
    if (this.used + bytes > this.buffer.length) this.flush();
    return !this.full;
  }

  private commit(bytes: number): void {
    this.used += bytes;
    this.size += bytes;
  }
}

/** One session of a trace file: who recorded it and what it saw. */
export interface TraceSession {
  /** Hex identity key of the recording node. */
  self: string;
  role: ObservedRole;
  startedAt: number;
  packets: ObservedPacket[];
}

export interface ObservedPacket {
  /** ms since the epoch. */
  at: number;
  /** Sent by the recording node (else received by it). */
  out: boolean;
  /** Hex identity key of the neighbour. */
  peer: string;
  size: number;
  /** On a client link (gateways only). */
  client: boolean;
}

/**
 * Decodes a trace file's bytes into its sessions. A truncated last record (a node killed mid-write) is ignored;
 * anything else malformed throws a RangeError naming the offset.
 */
export function decodeTrace(bytes: Uint8Array): TraceSession[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sessions: TraceSession[] = [];
  let session: TraceSession | undefined;
  let peers: string[] = [];
  let o = 0;
  while (o < b.length) {
    const type = b[o];
    if (type === RECORD_PACKET) {
      if (o + PACKET_RECORD_BYTES > b.length) break;
      if (!session) throw new RangeError(`trace: packet record before any session at ${o}`);
      const flags = b[o + 1] as number;
      const peer = peers[b.readUInt16LE(o + 2)];
      if (peer === undefined) throw new RangeError(`trace: unknown peer index at ${o}`);
      session.packets.push({
        at: b.readDoubleLE(o + 8),
        out: (flags & FLAG_OUT) !== 0,
        peer,
        size: b.readUInt32LE(o + 4),
        client: (flags & FLAG_CLIENT) !== 0,
      });
      o += PACKET_RECORD_BYTES;
    } else if (type === RECORD_PEER) {
      if (o + 4 > b.length) break;
      const len = b[o + 3] as number;
      if (o + 4 + len > b.length) break;
      if (!session) throw new RangeError(`trace: peer record before any session at ${o}`);
      const index = b.readUInt16LE(o + 1);
      if (index !== peers.length) throw new RangeError(`trace: peer index out of order at ${o}`);
      peers.push(b.toString("hex", o + 4, o + 4 + len));
      o += 4 + len;
    } else if (type === RECORD_SESSION) {
      if (o + 4 > b.length) break;
      const len = b[o + 3] as number;
      if (o + 4 + len + 8 > b.length) break;
      if (b[o + 1] !== TRACE_VERSION) throw new RangeError(`trace: unknown version ${b[o + 1]} at ${o}`);
      const role = b[o + 2] as number;
      session = {
        self: b.toString("hex", o + 4, o + 4 + len),
        role: role === 0 ? "gateway" : role,
        startedAt: b.readDoubleLE(o + 4 + len),
        packets: [],
      };
      sessions.push(session);
      peers = [];
      o += 4 + len + 8;
    } else {
      throw new RangeError(`trace: unknown record type ${type} at ${o}`);
    }
  }
  return sessions;
}
