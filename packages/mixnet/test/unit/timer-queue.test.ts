import { describe, expect, it } from "vitest";
import { TimerQueue } from "../../src/timer-queue.js";

describe("TimerQueue", () => {
  it("releases items in due order, not push order", async () => {
    const out: number[] = [];
    const q = new TimerQueue<number>((n) => out.push(n), { capacity: 100 });
    q.push(30, 3);
    q.push(10, 1);
    q.push(20, 2);
    q.push(0, 0);
    await new Promise((r) => setTimeout(r, 80));
    expect(out).toEqual([0, 1, 2, 3]);
    expect(q.size).toBe(0);
  });

  it("keeps push order among items due at the same time", async () => {
    let now = 0;
    const out: number[] = [];
    const q = new TimerQueue<number>((n) => out.push(n), { capacity: 100, now: () => now });
    for (let i = 0; i < 50; i++) q.push(5, i);
    now = 10;
    await new Promise((r) => setTimeout(r, 20));
    expect(out).toEqual([...Array(50).keys()]);
  });

  it("never releases an item before its delay", async () => {
    const start = performance.now();
    const releasedAt: number[] = [];
    const q = new TimerQueue<number>(() => releasedAt.push(performance.now() - start), { capacity: 10 });
    q.push(25, 0);
    await new Promise((r) => setTimeout(r, 60));
    expect(releasedAt).toHaveLength(1);
    expect(releasedAt[0]).toBeGreaterThanOrEqual(24);
  });

  it("refuses pushes past capacity and after stop", () => {
    const q = new TimerQueue<number>(() => {}, { capacity: 2 });
    expect(q.push(1000, 1)).toBe(true);
    expect(q.push(1000, 2)).toBe(true);
    expect(q.push(1000, 3)).toBe(false);
    expect(q.stop()).toHaveLength(2);
    expect(q.push(0, 4)).toBe(false);
  });

  it("holds many items with one heap and releases all of them sorted", async () => {
    // A frozen clock while pushing, so due order is exactly delay order.
    let now = 0;
    const out: number[] = [];
    const q = new TimerQueue<number>((n) => out.push(n), { capacity: 100_000, now: () => now });
    const delays = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 40);
    delays.forEach((d, i) => {
      q.push(d, d * 100_000 + i);
    });
    now = 20;
    await new Promise((r) => setTimeout(r, 30));
    expect(q.size).toBeGreaterThan(0);
    expect(out.length).toBeGreaterThan(0);
    now = 100;
    await new Promise((r) => setTimeout(r, 60));
    expect(out).toHaveLength(5000);
    const dues = out.map((v) => Math.floor(v / 100_000));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
  });
});
