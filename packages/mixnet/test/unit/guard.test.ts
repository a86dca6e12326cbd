import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { guarded } from "../../src/guard.js";
import { PoissonStream } from "../../src/poisson.js";
import { RetransmitQueue } from "../../src/retransmit.js";
import { TimerQueue } from "../../src/timer-queue.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("per-item callbacks of timers and streams never end the process", () => {
  it("a Poisson stream whose tick throws keeps ticking, counts each error and reports it", async () => {
    const seen: unknown[] = [];
    let ticks = 0;
    const stream = new PoissonStream(
      200,
      () => {
        ticks++;
        throw new Error(`bad item ${ticks}`);
      },
      undefined,
      (error) => seen.push(error),
    );
    stream.start();
    await sleep(300);
    stream.stop();
    expect(ticks).toBeGreaterThan(3);
    expect(stream.errors).toBe(ticks);
    expect(seen).toHaveLength(ticks);
    expect((seen[0] as Error).message).toBe("bad item 1");
  });

  it("a timer queue whose onDue throws for one item still releases the others, and counts it", async () => {
    const out: number[] = [];
    const errors: [unknown, number][] = [];
    const q = new TimerQueue<number>(
      (n) => {
        if (n === 2) throw new Error("item 2 is bad");
        out.push(n);
      },
      { capacity: 10, onError: (error, item) => errors.push([error, item]) },
    );
    for (const n of [1, 2, 3]) q.push(5, n);
    await sleep(40);
    expect(out).toEqual([1, 3]);
    expect(q.errors).toBe(1);
    expect(errors[0]?.[1]).toBe(2);
  });

  it("an error handler that throws is swallowed too", async () => {
    const q = new TimerQueue<number>(
      () => {
        throw new Error("item");
      },
      {
        capacity: 10,
        onError: () => {
          throw new Error("handler");
        },
      },
    );
    q.push(0, 1);
    q.push(0, 2);
    await sleep(20);
    expect(q.errors).toBe(2);
    const wrapped = guarded(
      () => {
        throw new Error("callback");
      },
      () => {
        throw new Error("handler");
      },
    );
    expect(() => wrapped()).not.toThrow();
  });

  it("a retransmission that throws is counted and the next timeouts still fire", async () => {
    const resent: string[] = [];
    const retransmit = new RetransmitQueue<number>({
      ackTimeoutMs: () => 5,
      maxAttempts: 3,
      retransmit: (key) => {
        if (key === "bad") throw new Error("no route");
        resent.push(key);
      },
    });
    for (const key of ["bad", "good"]) {
      retransmit.track(key, 0);
      retransmit.sent(key);
    }
    await sleep(40);
    expect(resent).toEqual(["good"]);
    expect(retransmit.errors).toBe(1);
    retransmit.stop();
  });

  it("a process whose stream and queue callbacks throw on every item runs on and exits 0", () => {
    const poisson = fileURLToPath(new URL("../../src/poisson.ts", import.meta.url));
    const timerQueue = fileURLToPath(new URL("../../src/timer-queue.ts", import.meta.url));
    const script = `
      const { PoissonStream } = await import(${JSON.stringify(poisson)});
      const { TimerQueue } = await import(${JSON.stringify(timerQueue)});
      const stream = new PoissonStream(500, () => { throw new Error("tick"); });
      const queue = new TimerQueue(() => { throw new Error("due"); }, { capacity: 100 });
      for (let i = 0; i < 50; i++) queue.push(i * 4, i);
      stream.start();
      setTimeout(() => { stream.stop(); console.log(JSON.stringify({ ticks: stream.errors, due: queue.errors })); }, 400);
    `;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const counts = JSON.parse(run.stdout.trim()) as { ticks: number; due: number };
    expect(counts.ticks).toBeGreaterThan(10);
    expect(counts.due).toBe(50);
  });
});
