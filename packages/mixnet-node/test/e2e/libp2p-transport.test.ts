import { randomBytes } from "node:crypto";
import type { MixTransport } from "@nym-ts/mixnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COALESCE_BYTES, createLibp2pTransport } from "../../src/libp2p-transport.js";

const seed = () => new Uint8Array(randomBytes(32));

describe("libp2p transport over real TCP + Noise + Yamux", () => {
  let a: MixTransport;
  let b: MixTransport;
  let client: MixTransport;
  const atB: { frame: Uint8Array; from: Uint8Array }[] = [];
  const atClient: Uint8Array[] = [];

  beforeAll(async () => {
    a = createLibp2pTransport({ identitySeed: seed(), listen: ["/ip4/127.0.0.1/tcp/0"] });
    b = createLibp2pTransport({ identitySeed: seed(), listen: ["/ip4/127.0.0.1/tcp/0"], maxFrameBytes: 4096 });
    client = createLibp2pTransport({ identitySeed: seed(), listen: [] });
    b.onFrame((frame, from) => atB.push({ frame: new Uint8Array(frame), from }));
    client.onFrame((frame) => atClient.push(new Uint8Array(frame)));
    await Promise.all([a.start(), b.start(), client.start()]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), client?.stop()]);
  });

  it("delivers many frames in order on one stream, tagged with the sender's authenticated identity", async () => {
    const address = b.listenAddresses()[0];
    expect(address).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+$/);
    const frames = Array.from({ length: 1500 }, (_, i) => {
      const f = new Uint8Array(2000);
      new DataView(f.buffer).setUint32(0, i);
      return f;
    });
    // Other tests share b (in any order): only what arrives from now on counts.
    const start = atB.length;
    const got = () => atB.slice(start);
    let accepted = 0;
    for (const f of frames) if (a.send({ id: b.localId, address }, f)) accepted++;
    expect(accepted).toBe(1500);
    const deadline = Date.now() + 10_000;
    while (got().length < 1500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(got()).toHaveLength(1500);
    expect(got().map((x) => new DataView(x.frame.buffer).getUint32(0))).toEqual([...Array(1500).keys()]);
    expect(got().every((x) => Buffer.from(x.from).equals(Buffer.from(a.localId)))).toBe(true);
  });

  it("counts a frame handler that throws and keeps delivering on the same link (no uncaught exception)", async () => {
    const c = createLibp2pTransport({ identitySeed: seed(), listen: ["/ip4/127.0.0.1/tcp/0"] });
    const got: number[] = [];
    c.onFrame((frame) => {
      if (frame[0] === 0xee) throw new Error("handler bug on one frame");
      got.push(frame[0] as number);
    });
    await c.start();
    try {
      const peer = { id: c.localId, address: c.listenAddresses()[0] };
      for (const first of [1, 0xee, 2, 0xee, 3]) a.send(peer, new Uint8Array([first, 0]));
      const deadline = Date.now() + 10_000;
      while (got.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(got).toEqual([1, 2, 3]);
      expect(c.stats().handlerErrors).toBe(2);
      expect(c.isConnected(a.localId)).toBe(true);
    } finally {
      await c.stop();
    }
  });

  it("refuse cuts a peer's link: nothing more from it is handed on until the ban ends, then it reconnects", async () => {
    const c = createLibp2pTransport({ identitySeed: seed(), listen: ["/ip4/127.0.0.1/tcp/0"] });
    const got: number[] = [];
    c.onFrame((frame) => got.push(frame[0] as number));
    await c.start();
    const d = createLibp2pTransport({ identitySeed: seed(), listen: [] });
    await d.start();
    try {
      const peer = { id: c.localId, address: c.listenAddresses()[0] };
      d.send(peer, new Uint8Array([1]));
      const wait = async (n: number) => {
        const deadline = Date.now() + 10_000;
        while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      };
      await wait(1);
      expect(got).toEqual([1]);
      c.refuse?.(d.localId, 1500);
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 20; i++) {
        d.send(peer, new Uint8Array([2]));
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(got).toEqual([1]);
      expect(c.send({ id: d.localId }, new Uint8Array([3]))).toBe(false);
      expect(c.stats().refusedChunks).toBeGreaterThan(0);
      // After the ban the peer is welcome again (its dial backoff may add a few seconds).
      await new Promise((r) => setTimeout(r, 1500));
      const deadline = Date.now() + 15_000;
      while (!got.includes(4) && Date.now() < deadline) {
        d.send(peer, new Uint8Array([4]));
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(got).toContain(4);
      expect(got.filter((x) => x === 2)).toEqual([]);
    } finally {
      await Promise.all([c.stop(), d.stop()]);
    }
  }, 30_000);

  it("coalesces frames queued in one turn into few writes, to a peer on @libp2p/noise's own crypto", async () => {
    const legacy = createLibp2pTransport({
      identitySeed: seed(),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      noiseCrypto: "libp2p-default",
    });
    const got: Uint8Array[] = [];
    legacy.onFrame((frame) => got.push(new Uint8Array(frame)));
    await legacy.start();
    try {
      const peer = { id: legacy.localId, address: legacy.listenAddresses()[0] };
      const frames = Array.from({ length: 300 }, () => new Uint8Array(randomBytes(2414)));
      const writesBefore = a.stats().writes;
      for (const f of frames) expect(a.send(peer, f)).toBe(true);
      const deadline = Date.now() + 10_000;
      while (got.length < frames.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(got.length).toBe(frames.length);
      expect(got.every((f, i) => Buffer.from(f).equals(frames[i] as Uint8Array))).toBe(true);
      // 300 frames of 2,418 bytes with their prefixes fill ceil(725,400 / 65,507) = 12 full writes.
      const writes = a.stats().writes - writesBefore;
      expect(writes).toBeGreaterThanOrEqual(Math.ceil((300 * 2418) / COALESCE_BYTES));
      expect(writes).toBeLessThanOrEqual(Math.ceil((300 * 2418) / COALESCE_BYTES) + 1);
      // And back, from the peer on libp2p's crypto to ours.
      const before = atB.length;
      legacy.send({ id: b.localId, address: b.listenAddresses()[0] }, new Uint8Array([4, 2]));
      while (atB.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(atB.at(-1)?.frame).toEqual(new Uint8Array([4, 2]));
    } finally {
      await legacy.stop();
    }
  });

  it("lets a listening node answer a client that only dialled it, over the client's own link", async () => {
    const address = b.listenAddresses()[0];
    client.send({ id: b.localId, address }, new Uint8Array([1, 2, 3]));
    const deadline = Date.now() + 5000;
    while (!atB.some((x) => Buffer.from(x.from).equals(Buffer.from(client.localId))) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(b.isConnected(client.localId)).toBe(true);
    const start = atClient.length;
    expect(b.send({ id: client.localId }, new Uint8Array([9, 9]))).toBe(true);
    while (atClient.length === start && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(atClient[start]).toEqual(new Uint8Array([9, 9]));
  });

  it("drops (and counts) frames past a neighbour's queue bound instead of growing memory", () => {
    const small = createLibp2pTransport({ identitySeed: seed(), listen: [], maxQueuedFrames: 10 });
    // Not started: the dial cannot complete, so frames pile up in the queue until the bound.
    const peer = { id: b.localId, address: b.listenAddresses()[0] };
    let ok = 0;
    for (let i = 0; i < 50; i++) if (small.send(peer, new Uint8Array(10))) ok++;
    expect(ok).toBe(10);
    expect(small.stats().framesDropped).toBe(40);
  });

  it("bounds a live link's queue too: a burst past the bound is dropped and counted, what was accepted arrives", async () => {
    const bounded = createLibp2pTransport({ identitySeed: seed(), listen: [], maxQueuedFrames: 50 });
    await bounded.start();
    try {
      const peer = { id: b.localId, address: b.listenAddresses()[0] };
      bounded.send(peer, new Uint8Array([1]));
      const fromBounded = () => atB.filter((x) => Buffer.from(x.from).equals(Buffer.from(bounded.localId))).length;
      const deadline = Date.now() + 5000;
      while (fromBounded() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(bounded.isConnected(b.localId)).toBe(true);
      const dropsBefore = bounded.stats().framesDropped;
      // One synchronous burst: nothing is written before the next turn, so the queue holds at most 50.
      let accepted = 0;
      for (let i = 0; i < 500; i++) if (bounded.send(peer, new Uint8Array(2414).fill(i % 256))) accepted++;
      expect(accepted).toBe(50);
      expect(bounded.queuedFrames(b.localId)).toBe(50);
      expect(bounded.stats().framesDropped - dropsBefore).toBe(450);
      while (fromBounded() < 51 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(fromBounded()).toBe(51);
      expect(bounded.queuedFrames(b.localId)).toBe(0);
    } finally {
      await bounded.stop();
    }
  });

  it("tears down a link whose length prefix exceeds the frame limit, and keeps serving others", async () => {
    const evil = createLibp2pTransport({ identitySeed: seed(), listen: [] });
    await evil.start();
    try {
      const before = b.stats().badFrames;
      evil.send({ id: b.localId, address: b.listenAddresses()[0] }, new Uint8Array(8000));
      const deadline = Date.now() + 5000;
      while (b.stats().badFrames === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(b.stats().badFrames).toBe(before + 1);
      const count = atB.length;
      a.send({ id: b.localId, address: b.listenAddresses()[0] }, new Uint8Array([7]));
      while (atB.length === count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(atB.at(-1)?.frame).toEqual(new Uint8Array([7]));
    } finally {
      await evil.stop();
    }
  });

  it("counts frames to an unreachable neighbour as dropped", async () => {
    const before = a.stats().framesDropped;
    a.send({ id: new Uint8Array(randomBytes(32)), address: "/ip4/127.0.0.1/tcp/1" }, new Uint8Array(5));
    const deadline = Date.now() + 6000;
    while (a.stats().framesDropped === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(a.stats().framesDropped).toBeGreaterThan(before);
  });
});
