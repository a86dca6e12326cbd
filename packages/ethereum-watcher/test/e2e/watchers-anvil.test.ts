import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EthereumWatcher } from "../../src/index.js";
import { type AnvilEnv, eventually, startAnvilEnv } from "../helpers/anvil-env.js";
import { TestLedger } from "../helpers/ledger.js";

/**
 * Real anvil, real watchers (SQLite, eth_getLogs, HTTP), and an in-memory threshold ledger in place of the chain.
 * The same scenarios against real CometBFT validators are in chain-e2e.test.ts.
 */
describe("three watchers on real anvil, threshold 2 (in-memory ledger)", () => {
  let env: AnvilEnv;
  const running: EthereumWatcher[] = [];
  const CONF = 3;
  /** Each test's watchers start at the head when the test begins, so earlier tests' transfers are not theirs. */
  let from = 0;

  beforeAll(async () => {
    env = await startAnvilEnv();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await env?.close();
  });

  async function startAll(ledger: TestLedger, names: string[]): Promise<EthereumWatcher[]> {
    from = (await env.head()) + 1;
    const watchers = names.map((name) => env.watcher(name, ledger.notifier(name), CONF, from));
    running.push(...watchers);
    await Promise.all(watchers.map((w) => w.start()));
    return watchers;
  }

  it("credits a transfer exactly once, and only after the confirmations", async () => {
    const ledger = new TestLedger(2);
    const watchers = await startAll(ledger, ["a1", "b1", "c1"]);
    const payer = await env.payers[0]!.getAddress();
    await env.pay(0, 1_000_000n);
    await env.mine(CONF - 1);
    await Promise.all(watchers.map((w) => w.polled()));
    await Promise.all(watchers.map((w) => w.polled()));
    expect(ledger.balance(payer)).toBe(0n);
    await env.mine(1);
    expect(await eventually(() => ledger.votes.size === 1 && [...ledger.votes.values()][0]!.size === 3)).toBe(true);
    expect(ledger.balance(payer)).toBe(1_000_000n);
    expect([...ledger.credited.values()]).toEqual([1]);
    expect(ledger.duplicateVotes).toBe(0);
  });

  it("still credits with one watcher down", async () => {
    const ledger = new TestLedger(2);
    await startAll(ledger, ["a2", "c2"]);
    const payer = await env.payers[1]!.getAddress();
    await env.pay(1, 7n);
    await env.mine(CONF);
    expect(await eventually(() => ledger.balance(payer) === 7n)).toBe(true);
    expect([...ledger.credited.values()]).toEqual([1]);
  });

  it("ignores transfers to any other address", async () => {
    const ledger = new TestLedger(2);
    const watchers = await startAll(ledger, ["a3", "b3", "c3"]);
    const other = await env.payers[2]!.getAddress();
    await env.pay(0, 5n, other);
    const marker = await env.pay(1, 9n);
    await env.mine(CONF);
    expect(await eventually(() => ledger.credited.size === 1)).toBe(true);
    // Every watcher has scanned past both transfers (one poll after the marker was confirmed) and kept one.
    for (const w of watchers) {
      expect(await eventually(() => w.store.all().length > 0)).toBe(true);
      await w.polled();
      expect(w.store.all().map((t) => t.txHash)).toEqual([marker.hash]);
    }
  });

  it("retries a failing chain with backoff and credits once it is back", async () => {
    const ledger = new TestLedger(2);
    ledger.failNext("a4", 3);
    ledger.failNext("b4", 3);
    ledger.failNext("c4", 3);
    const watchers = await startAll(ledger, ["a4", "b4", "c4"]);
    const payer = await env.payers[2]!.getAddress();
    const before = ledger.balance(payer);
    await env.pay(2, 11n);
    await env.mine(CONF);
    expect(await eventually(() => ledger.balance(payer) === before + 11n)).toBe(true);
    expect(await eventually(() => watchers.every((w) => w.store.all()[0]?.status === "notified"))).toBe(true);
    expect(ledger.failures).toBe(9);
    const metrics = await (await fetch(`${watchers[0]!.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/nym_ethereum_watcher_notification_errors_total\{reason="other"\} 3/);
    expect(metrics).toMatch(/nym_ethereum_watcher_notifications_total 1/);
    const health = await fetch(`${watchers[0]!.httpUrl}/health`);
    expect(health.status).toBe(200);
  });

  it("a watcher restarted mid-stream misses nothing and notifies nothing twice", async () => {
    const ledger = new TestLedger(2);
    const [a, b] = await startAll(ledger, ["a5", "b5", "c5"]);
    const sent: string[] = [];
    for (let i = 0; i < 4; i++) sent.push((await env.pay(i % 3, 100n + BigInt(i))).hash);
    await env.mine(CONF);
    expect(await eventually(() => b!.store.all().filter((t) => t.status === "notified").length === 4)).toBe(true);
    await b!.stop();
    running.splice(running.indexOf(b!), 1);
    for (let i = 4; i < 8; i++) sent.push((await env.pay(i % 3, 100n + BigInt(i))).hash);
    await env.mine(CONF);
    expect(await eventually(() => a!.store.all().filter((t) => t.status === "notified").length === 8)).toBe(true);
    const restarted = env.watcher("b5", ledger.notifier("b5"), CONF, from);
    running.push(restarted);
    await restarted.start();
    for (let i = 8; i < 10; i++) sent.push((await env.pay(i % 3, 100n + BigInt(i))).hash);
    await env.mine(CONF);
    expect(await eventually(() => restarted.store.all().filter((t) => t.status === "notified").length === 10)).toBe(
      true,
    );
    expect(await eventually(() => ledger.credited.size === 10)).toBe(true);
    expect(restarted.store.all().map((t) => t.txHash)).toEqual(sent);
    expect(ledger.duplicateVotes).toBe(0);
    expect([...ledger.credited.values()]).toEqual(Array(10).fill(1));
    for (const votes of ledger.votes.values()) expect(votes.has("b5")).toBe(true);
  });

  it("never credits a transfer that a reorg removes before the confirmations", async () => {
    const ledger = new TestLedger(2);
    const watchers = await startAll(ledger, ["a6", "b6", "c6"]);
    const snapshot: string = await env.provider.send("evm_snapshot", []);
    const doomed = await env.pay(0, 666n);
    await env.mine(CONF - 1); // one block short of the confirmations
    await Promise.all(watchers.map((w) => w.polled()));
    await Promise.all(watchers.map((w) => w.polled()));
    expect(await env.provider.send("evm_revert", [snapshot])).toBe(true);
    // The revert took the doomed transfer's nonce back: payer 0's NonceManager must forget it, or the next test that
    // pays from payer 0 (tests run shuffled in CI) waits forever on a nonce gap.
    env.payers[0]!.reset();
    const survivor = await env.pay(1, 5n);
    await env.mine(CONF + 2); // the new branch is longer than the old one and confirmed
    expect(await eventually(() => ledger.credited.size === 1)).toBe(true);
    for (const w of watchers) {
      await w.polled();
      expect(w.store.all().map((t) => t.txHash)).toEqual([survivor.hash]);
    }
    expect([...ledger.votes.keys()].some((k) => k.startsWith(doomed.hash))).toBe(false);
  });
});
