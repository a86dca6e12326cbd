import { describe, expect, it } from "vitest";
import { LoopStats } from "../../src/loop-stats.js";
import { RetransmitQueue } from "../../src/retransmit.js";
import { chooseMixLoopRoute, chooseRoute, idHex, TopologyIndex } from "../../src/topology.js";

const key = (n: number) => new Uint8Array(32).fill(n);

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe("acks with retransmission", () => {
  it("sends again on timeout until acked, and never after the ack", async () => {
    const sends: number[] = [];
    const q = new RetransmitQueue<string>({
      ackTimeoutMs: () => 15,
      maxAttempts: 10,
      retransmit: (k, _item, attempt) => {
        sends.push(attempt);
        q.sent(k);
      },
    });
    q.track("a", "payload");
    q.sent("a");
    await until(() => sends.length >= 2);
    expect(sends.length).toBeGreaterThanOrEqual(2);
    expect(q.ack("a")).toBe(true);
    const after = sends.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(sends.length).toBe(after);
    expect(q.ack("a")).toBe(false);
    q.stop();
  });

  it("gives up after maxAttempts sends", async () => {
    const gaveUp: string[] = [];
    const q = new RetransmitQueue<number>({
      ackTimeoutMs: () => 5,
      maxAttempts: 3,
      retransmit: (k) => q.sent(k),
      giveUp: (k) => gaveUp.push(k),
    });
    q.track("x", 1);
    q.sent("x");
    await until(() => gaveUp.length > 0);
    expect(gaveUp).toEqual(["x"]);
    expect(q.retransmissions).toBe(2);
    expect(q.size).toBe(0);
    q.stop();
  });

  it("does not time out a packet that has not left yet", async () => {
    const sends: number[] = [];
    const q = new RetransmitQueue<number>({ ackTimeoutMs: () => 5, maxAttempts: 3, retransmit: () => sends.push(1) });
    q.track("queued", 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(sends).toEqual([]);
    q.stop();
  });
});

describe("topology and routes", () => {
  const topology = {
    mixnodes: [1, 2, 3, 4, 5, 6].map((n) => ({
      identityKey: key(n),
      sphinxKey: key(100 + n),
      layer: Math.ceil(n / 2),
      address: `/ip4/127.0.0.1/tcp/${1000 + n}`,
    })),
    gateways: [7, 8].map((n) => ({ identityKey: key(n), sphinxKey: key(100 + n), address: `/ip4/127.0.0.1/tcp/${n}` })),
  };
  const index = new TopologyIndex(topology);

  it("picks one node per layer in order, ending at the destination gateway", () => {
    for (let i = 0; i < 50; i++) {
      const route = chooseRoute(index, key(8));
      expect(route.map((h) => index.get(h.identityKey)?.layer)).toEqual([1, 2, 3, "gateway"]);
      expect(route[3]?.identityKey).toEqual(key(8));
    }
  });

  it("avoids suspected nodes when the layer has another", () => {
    const avoid = new Set([idHex(key(1)), idHex(key(3))]);
    for (let i = 0; i < 50; i++) {
      const route = chooseRoute(index, key(7), { avoid });
      expect(route[0]?.identityKey).toEqual(key(2));
      expect(route[1]?.identityKey).toEqual(key(4));
    }
  });

  it("fails with a typed error for an unknown gateway or an empty layer", () => {
    expect(() => chooseRoute(index, key(99))).toThrow(/destination gateway/);
    const broken = new TopologyIndex({ mixnodes: topology.mixnodes.slice(2), gateways: topology.gateways });
    expect(() => chooseRoute(broken, key(7))).toThrow(/layer 1/);
  });

  it("routes a mix loop through every other layer and a gateway back to the mix", () => {
    const self = topology.mixnodes[2]!; // layer 2
    const route = chooseMixLoopRoute(index, self);
    expect(route.map((h) => index.get(h.identityKey)?.layer)).toEqual([3, "gateway", 1, 2]);
    expect(route[3]?.identityKey).toEqual(self.identityKey);
  });
});

describe("loop statistics", () => {
  it("singles out the node on the routes whose loops never come back", () => {
    let now = 0;
    const stats = new LoopStats({ timeoutMs: 100, now: () => now });
    let n = 0;
    for (const a of ["a1", "a2"]) {
      for (const b of ["b1", "b2"]) {
        for (let i = 0; i < 5; i++) {
          const id = `loop${n++}`;
          stats.recordSent(id, [a, b]);
          if (b !== "b2") stats.recordReturned(id);
        }
      }
    }
    now = 1000;
    const suspects = stats.suspects(5);
    expect([...suspects]).toEqual(["b2"]);
    const rows = stats.report();
    expect(rows[0]?.node).toBe("b2");
    expect(rows[0]?.ratio).toBe(0);
    expect(stats.recordReturned("never-sent")).toBe(false);
  });

  it("forgets old samples, so a node that was healthy and then died is suspected", () => {
    let now = 0;
    const stats = new LoopStats({ timeoutMs: 100, now: () => now, window: 10 });
    let n = 0;
    for (let i = 0; i < 50; i++) {
      for (const b of ["b1", "b2"]) {
        const id = `ok${n++}`;
        stats.recordSent(id, [b]);
        stats.recordReturned(id);
      }
    }
    expect(stats.suspects(5).size).toBe(0);
    for (let i = 0; i < 10; i++) {
      stats.recordSent(`dead${i}`, ["b2"]);
      const id = `alive${i}`;
      stats.recordSent(id, ["b1"]);
      stats.recordReturned(id);
    }
    now = 1000;
    expect([...stats.suspects(5)]).toEqual(["b2"]);
  });
});
