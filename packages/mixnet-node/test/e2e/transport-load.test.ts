import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createLibp2pTransport } from "../../src/libp2p-transport.js";

const seed = () => new Uint8Array(randomBytes(32));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Blocks the event loop for `busyMs` of every `everyMs` (a CPU hog in this process) until stopped. */
function cpuHog(busyMs: number, everyMs: number): () => void {
  const timer = setInterval(() => {
    const end = Date.now() + busyMs;
    while (Date.now() < end) {
      // busy
    }
  }, everyMs);
  return () => clearInterval(timer);
}

const sumOf = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe("libp2p transport under many dials and bursts", () => {
  it("20 transports created first, then started together, all open a link to one listener and deliver a burst under a CPU hog", async () => {
    const SENDERS = 20;
    const BURST = 300;
    const listener = createLibp2pTransport({ identitySeed: seed(), listen: ["/ip4/127.0.0.1/tcp/0"] });
    const got = new Map<string, number>();
    listener.onFrame((frame, from) => {
      if (frame.length !== 2414) return;
      got.set(hex(from), (got.get(hex(from)) ?? 0) + 1);
    });
    await listener.start();
    // Every sender is made before any starts (the privacy harness's case), then all start and dial at once, all
    // from 127.0.0.1: libp2p's default inbound limits (5 connections per host per second, 10 in their handshake)
    // turned most of them away, and what they had queued for the dial was dropped.
    const senders = Array.from({ length: SENDERS }, () => createLibp2pTransport({ identitySeed: seed(), listen: [] }));
    const stopHog = cpuHog(30, 50);
    try {
      await Promise.all(senders.map((s) => s.start()));
      const peer = { id: listener.localId, address: listener.listenAddresses()[0] };
      const accepted = senders.map((s) => {
        let ok = 0;
        for (let i = 0; i < BURST; i++) if (s.send(peer, new Uint8Array(2414).fill(i & 0xff))) ok++;
        return ok;
      });
      expect(accepted).toEqual(senders.map(() => BURST));
      const arrived = () => senders.reduce((n, s) => n + (got.get(hex(s.localId)) ?? 0), 0);
      await until(() => arrived() === SENDERS * BURST, 30_000);
      stopHog();
      for (const s of senders) {
        const stats = s.stats();
        expect({ got: got.get(hex(s.localId)) ?? 0, dropped: stats.framesDropped, open: stats.linksOpen }).toEqual({
          got: BURST,
          dropped: 0,
          open: 1,
        });
      }
      expect(listener.stats().linksOpen).toBe(SENDERS);
    } finally {
      stopHog();
      await Promise.all([...senders.map((s) => s.stop()), listener.stop()]);
    }
  }, 60_000);

  it("a burst past the queue bound under a CPU hog: every frame arrives or is counted as dropped, with its cause", async () => {
    const BURST = 2000;
    const listener = createLibp2pTransport({ identitySeed: seed(), listen: ["/ip4/127.0.0.1/tcp/0"] });
    const sender = createLibp2pTransport({ identitySeed: seed(), listen: [], maxQueuedFrames: 500 });
    let got = 0;
    listener.onFrame((frame) => {
      if (frame.length === 2414) got++;
    });
    await Promise.all([listener.start(), sender.start()]);
    const stopHog = cpuHog(30, 50);
    try {
      const peer = { id: listener.localId, address: listener.listenAddresses()[0] };
      let accepted = 0;
      // Bursts of 250 a turn apart: some fill the queue faster than the link (blocked by the hog) drains it.
      for (let turn = 0; turn < BURST / 250; turn++) {
        for (let i = 0; i < 250; i++) if (sender.send(peer, new Uint8Array(2414))) accepted++;
        await new Promise((r) => setImmediate(r));
      }
      await until(
        () => got + sender.stats().framesDropped === BURST && sender.queuedFrames(listener.localId) === 0,
        30_000,
      );
      stopHog();
      const stats = sender.stats();
      expect(got + stats.framesDropped).toBe(BURST);
      expect(got).toBe(accepted - stats.dropped.dialFailed);
      expect(sumOf({ ...stats.dropped })).toBe(stats.framesDropped);
      expect(stats.dropped.queueFull).toBe(BURST - accepted);
      expect(stats.dropped.queueFull).toBeGreaterThan(0);
    } finally {
      stopHog();
      await Promise.all([sender.stop(), listener.stop()]);
    }
  }, 60_000);

  it("frames accepted while a dial is in progress and then lost with the failed dial are counted as dialFailed", async () => {
    const sender = createLibp2pTransport({ identitySeed: seed(), listen: [], dialBackoffMs: 60_000 });
    await sender.start();
    try {
      // Nothing listens on port 1: the dial fails at once, after `send` already accepted the frames.
      const peer = { id: new Uint8Array(randomBytes(32)), address: "/ip4/127.0.0.1/tcp/1" };
      for (let i = 0; i < 5; i++) expect(sender.send(peer, new Uint8Array([i]))).toBe(true);
      await until(() => sender.stats().framesDropped === 5, 10_000);
      expect(sender.stats().dropped).toEqual({ queueFull: 0, unreachable: 0, dialFailed: 5, refused: 0, stopped: 0 });
      // While the dial backs off, `send` refuses at once and says why.
      expect(sender.send(peer, new Uint8Array([9]))).toBe(false);
      expect(sender.stats().dropped.unreachable).toBe(1);
      expect(sender.stats().framesDropped).toBe(6);
    } finally {
      await sender.stop();
    }
    // After stop nothing is queued, and what is sent is counted as such.
    expect(sender.send({ id: new Uint8Array(32).fill(1), address: "/ip4/127.0.0.1/tcp/1" }, new Uint8Array([1]))).toBe(
      false,
    );
    expect(sender.stats().dropped.stopped).toBe(1);
  });
});
