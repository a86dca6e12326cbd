import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import type { MixTransport, PeerAddress } from "@nym-ts/mixnet";
import { encodeMixPacket, generateX25519, nymSphinx } from "@nym-ts/mixnet";
import { afterEach, describe, expect, it } from "vitest";
import { MixCore } from "../../src/mix-core.js";
import {
  decodeTrace,
  observeConfigSection,
  observeOptions,
  type PacketObserver,
  TraceRecorder,
} from "../../src/observe.js";

const log = createLogger({ name: "test", level: "silent" });
const id = (n: number) => new Uint8Array(32).fill(n);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "observe-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the trace recorder", () => {
  it("writes sessions, peers and packets that decode back to what was recorded, in a 0600 file", () => {
    const path = join(tempDir(), "observe.trace");
    const before = performance.timeOrigin + performance.now();
    const r = new TraceRecorder({ path, maxBytes: 1 << 20, self: id(1), role: 2 }, log);
    r.packet(false, id(7), 2414, false);
    r.packet(true, id(8), 2414, false);
    r.packet(false, id(7), 2447, true);
    r.close();
    const after = performance.timeOrigin + performance.now();
    // A restart appends a second session to the same file.
    const g = new TraceRecorder({ path, maxBytes: 1 << 20, self: id(3), role: "gateway" }, log);
    g.packet(true, id(9), 2091, true);
    g.close();

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const sessions = decodeTrace(readFileSync(path));
    expect(sessions).toHaveLength(2);
    const [first, second] = sessions;
    expect(first?.self).toBe(hex(id(1)));
    expect(first?.role).toBe(2);
    expect(first?.packets.map((p) => [p.out, p.peer, p.size, p.client])).toEqual([
      [false, hex(id(7)), 2414, false],
      [true, hex(id(8)), 2414, false],
      [false, hex(id(7)), 2447, true],
    ]);
    for (const p of first?.packets ?? []) {
      expect(p.at).toBeGreaterThanOrEqual(before);
      expect(p.at).toBeLessThanOrEqual(after);
    }
    expect(second?.role).toBe("gateway");
    expect(second?.packets).toEqual([
      { at: expect.any(Number), out: true, peer: hex(id(9)), size: 2091, client: true },
    ]);
    // Session header 44 bytes, two peers of 36 bytes, three packets of 16 bytes: nothing else is written.
    expect(statSync(path).size).toBe(44 + 36 * 2 + 16 * 3 + 44 + 36 + 16);
  });

  it("stops at maxBytes, counts what it did not record and keeps the file decodable", () => {
    const path = join(tempDir(), "t");
    const maxBytes = 1 << 20;
    const r = new TraceRecorder({ path, maxBytes, self: id(1), role: 1 }, log);
    const n = 70_000; // 70,000 x 16 bytes > 1 MiB
    for (let i = 0; i < n; i++) r.packet(i % 2 === 0, id(2), 2414, false);
    r.close();
    expect(statSync(path).size).toBeLessThanOrEqual(maxBytes);
    expect(r.stats.packets + r.stats.dropped).toBe(n);
    expect(r.stats.dropped).toBeGreaterThan(0);
    const [session] = decodeTrace(readFileSync(path));
    expect(session?.packets).toHaveLength(r.stats.packets);
    // Reopening a full file records nothing.
    const again = new TraceRecorder({ path, maxBytes, self: id(1), role: 1 }, log);
    again.packet(true, id(2), 1, false);
    again.close();
    expect(again.stats).toEqual({ packets: 0, dropped: 1, errors: 0 });
  });

  it("ignores a truncated last record and refuses garbage", () => {
    const path = join(tempDir(), "t");
    const r = new TraceRecorder({ path, maxBytes: 1 << 20, self: id(1), role: 3 }, log);
    r.packet(true, id(2), 10, false);
    r.packet(true, id(2), 11, false);
    r.close();
    const bytes = readFileSync(path);
    expect(decodeTrace(bytes.subarray(0, bytes.length - 5))[0]?.packets).toHaveLength(1);
    expect(() => decodeTrace(Uint8Array.of(9, 0, 0))).toThrow(/unknown record type/);
    expect(() => decodeTrace(new Uint8Array(16).fill(2))).toThrow(/before any session/);
  });
});

describe("the [observe] config section", () => {
  it("is off by default and names a file inside the data directory", () => {
    const off = observeConfigSection.parse(undefined);
    expect(off).toEqual({ enabled: false, file: "observe.trace", maxBytes: 512 * 1024 * 1024 });
    expect(observeOptions(off, "/data")).toBeUndefined();
    const on = observeConfigSection.parse({ enabled: true, file: "run-1.trace", maxBytes: 2 * 1024 * 1024 });
    expect(observeOptions(on, "/data")).toEqual({ path: "/data/run-1.trace", maxBytes: 2 * 1024 * 1024 });
  });

  it("refuses paths, unknown keys and sizes below 1 MiB", () => {
    for (const file of ["../x", "/etc/passwd", "a/b", ".hidden", ""]) {
      expect(observeConfigSection.safeParse({ enabled: true, file }).success).toBe(false);
    }
    expect(observeConfigSection.safeParse({ enabled: true, maxBytes: 1000 }).success).toBe(false);
    expect(observeConfigSection.safeParse({ enabled: true, path: "/tmp/x" }).success).toBe(false);
  });
});

describe("the packet engine's observation points", () => {
  function core(observer: PacketObserver | undefined) {
    const keys = [generateX25519(), generateX25519()];
    const sent: { peer: PeerAddress; frame: Uint8Array }[] = [];
    const transport = {
      localId: id(1),
      send: (peer: PeerAddress, frame: Uint8Array) => sent.push({ peer, frame }) > 0,
    } as unknown as MixTransport;
    const c = new MixCore(
      {
        layer: 1,
        maxDelayMs: 1000,
        delayQueueCapacity: 10,
        loopRate: 0,
        loopMeanDelayMs: 1,
        payloadSize: 2065,
        loopTimeoutMs: 1000,
      },
      {
        log,
        transport,
        sphinx: nymSphinx,
        sphinxKey: nymSphinx.nodeKey(keys[0]!.secretKey),
        replay: { has: () => false, add: () => {} },
      },
    );
    c.observer = observer;
    c.setTopology({
      mixnodes: [
        { identityKey: id(1), sphinxKey: keys[0]!.publicKey, layer: 1, address: "/ip4/127.0.0.1/tcp/1" },
        { identityKey: id(2), sphinxKey: keys[1]!.publicKey, layer: 2, address: "/ip4/127.0.0.1/tcp/2" },
      ],
      gateways: [],
    });
    const frame = encodeMixPacket(
      nymSphinx.createPacket({
        route: [
          { address: id(1), publicKey: keys[0]!.publicKey },
          { address: id(2), publicKey: keys[1]!.publicKey },
        ],
        delaysMs: [0, 0],
        destination: id(9),
        identifier: new Uint8Array(16),
        message: new Uint8Array(100),
        payloadSize: 2065,
      }),
    );
    return { c, sent, frame };
  }

  it("reports the reception from the previous hop and the sending to the next, with their sizes", () => {
    const seen: [boolean, string, number, boolean][] = [];
    const { c, sent, frame } = core({ packet: (out, peer, size, client) => seen.push([out, hex(peer), size, client]) });
    c.handleFrame(frame, id(5));
    expect(sent).toHaveLength(1);
    expect(seen).toEqual([
      [false, hex(id(5)), frame.length, false],
      [true, hex(id(2)), sent[0]!.frame.length, false],
    ]);
  });

  it("calls nothing when observation is off, and still forwards", () => {
    const { c, sent, frame } = core(undefined);
    c.handleFrame(frame, id(5));
    expect(sent).toHaveLength(1);
    expect(c.counters.forwarded).toBe(1);
  });
});

describe("a file the recorder cannot write", () => {
  it("makes the recorder refuse to start (the node fails at start, not later)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "f"), "");
    expect(
      () => new TraceRecorder({ path: join(dir, "f", "x"), maxBytes: 1 << 20, self: id(1), role: 1 }, log),
    ).toThrow();
  });
});
