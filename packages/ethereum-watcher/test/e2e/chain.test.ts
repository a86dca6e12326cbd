import { randomBytes } from "node:crypto";
import { connectChain } from "@nym-ts/chain-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ChainNotifier,
  type EthereumWatcher,
  type ObservedTransfer,
  type PaymentProgress,
  payIntoNym,
  WatcherError,
} from "../../src/index.js";
import { type AnvilEnv, eventually, startAnvilEnv } from "../helpers/anvil-env.js";
import { type ChainEnv, startChainEnv } from "../helpers/chain-env.js";

/**
 * The real thing end to end: anvil, the NYM token, a 4-validator CometBFT network running the Nym ledger (watcher
 * threshold 2), two watchers in-process and one as the `nym-ethereum-watcher` binary.
 */
describe("three watchers, threshold 2, real anvil and a real 4-validator chain", () => {
  let eth: AnvilEnv;
  let env: ChainEnv;
  let a: EthereumWatcher;
  let b: EthereumWatcher;
  let c: Awaited<ReturnType<ChainEnv["spawnWatcher"]>> | undefined;
  const CONF = 2;

  beforeAll(async () => {
    eth = await startAnvilEnv();
    env = await startChainEnv(eth);
    a = await env.watcher(0, CONF);
    b = await env.watcher(1, CONF);
    await a.start();
    await b.start();
    c = await env.spawnWatcher(2, CONF);
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await c?.stop();
    await env?.close();
    await eth?.close();
  }, 60_000);

  const balance = async (i: number) => (await env.chain.account(await eth.payers[i]!.getAddress())).balance;

  it("pays in with payIntoNym and credits the transfer exactly once", async () => {
    const progress: PaymentProgress["stage"][] = [];
    const mining = setInterval(() => void eth.mine(1).catch(() => {}), 150);
    try {
      const payment = await payIntoNym({
        signer: eth.payers[0]!,
        tokenAddress: eth.token,
        pipeAccount: eth.pipe,
        amount: 1_000_000n,
        confirmations: CONF,
        nymBalance: async (address) => (await env.chain.account(address)).balance,
        onProgress: (p) => progress.push(p.stage),
        pollIntervalMs: 50,
        timeoutMs: 60_000,
      });
      expect(payment.balanceAfter - payment.balanceBefore).toBe(1_000_000n);
      expect(progress.slice(0, 4)).toEqual(["sending", "sent", "included", "confirming"]);
      expect(progress.at(-1)).toBe("credited");
      // All three watchers vote; the third vote must not credit again.
      expect(
        await eventually(
          async () => (await env.chain.transfer(payment.txHash, payment.logIndex))?.voters.length === 3,
          30_000,
        ),
      ).toBe(true);
      const view = await env.chain.transfer(payment.txHash, payment.logIndex);
      expect(view?.credited).toEqual({ address: payment.account.toLowerCase(), amount: "1000000" });
      // The third vote credited nothing more (other tests pay from other payers or credit nothing).
      expect(await balance(0)).toBe(payment.balanceAfter);
    } finally {
      clearInterval(mining);
    }
  });

  it("credits with one watcher down, and the restarted binary misses nothing and votes nothing twice", async () => {
    await c!.stop();
    const before = await balance(1);
    const sent: { hash: string }[] = [];
    for (let i = 0; i < 3; i++) sent.push(await eth.pay(1, 10n + BigInt(i)));
    await eth.mine(CONF);
    expect(await eventually(async () => (await balance(1)) === before + 33n, 30_000)).toBe(true);
    for (const { hash } of sent) {
      expect((await env.chain.transfer(hash, 0))?.voters).not.toContain(env.addresses[2]);
    }
    c = await env.spawnWatcher(2, CONF);
    for (let i = 3; i < 5; i++) sent.push(await eth.pay(1, 10n + BigInt(i)));
    await eth.mine(CONF);
    expect(await eventually(async () => (await balance(1)) === before + 33n + 27n, 30_000)).toBe(true);
    for (const { hash } of sent) {
      expect(
        await eventually(
          async () => (await env.chain.transfer(hash, 0))?.voters.includes(env.addresses[2] as `0x${string}`) ?? false,
          30_000,
        ),
      ).toBe(true);
      const view = await env.chain.transfer(hash, 0);
      expect(new Set(view?.voters).size).toBe(view?.voters.length);
    }
    // Five transfers, each credited once.
    expect(await balance(1)).toBe(before + 60n);
    // The binary's own account of it: five notifications, none refused (it marks them once it has seen them land).
    const metricsUrl = c!.healthUrl.replace("/health", "/metrics");
    const metric = async (name: string) =>
      new RegExp(`^nym_ethereum_watcher_${name} (\\d+)$`, "m").exec(await (await fetch(metricsUrl)).text())?.[1];
    expect(await eventually(async () => (await metric("notifications_total")) === "5", 10_000)).toBe(true);
    expect(await metric("notifications_rejected_total")).toBe("0");
    expect(await metric("pending_notifications")).toBe("0");
  });

  it("ignores transfers elsewhere and never credits one that a reorg removed before the confirmations", async () => {
    const before = await balance(2);
    const snapshot: string = await eth.provider.send("evm_snapshot", []);
    const doomed = await eth.pay(2, 666n);
    await eth.mine(CONF - 1);
    await Promise.all([a.polled(), b.polled()]);
    await Promise.all([a.polled(), b.polled()]);
    expect(await eth.provider.send("evm_revert", [snapshot])).toBe(true);
    eth.payers[2]!.reset(); // the reverted tx took a nonce the chain no longer counts
    const elsewhere = await eth.pay(2, 5n, await eth.payers[0]!.getAddress());
    const survivor = await eth.pay(2, 7n);
    await eth.mine(CONF + 2);
    expect(await eventually(async () => (await balance(2)) === before + 7n, 30_000)).toBe(true);
    await Promise.all([a.polled(), b.polled()]);
    expect(await env.chain.transfer(doomed.hash, 0)).toBeUndefined();
    expect(await env.chain.transfer(elsewhere.hash, 0)).toBeUndefined();
    expect((await env.chain.transfer(survivor.hash, 0))?.credited?.amount).toBe("7");
    for (const w of [a, b]) expect(w.store.all().map((t) => t.txHash)).not.toContain(doomed.hash);
  });

  it("a pipelined batch that hits a vote already cast stalls, and the checked retry completes it", async () => {
    await a.stop(); // its key is used directly below
    const client = await connectChain({ rpcUrl: env.testnet.rpcUrls[0]! });
    try {
      // A patient notifier for the steps that must succeed (a loaded machine may take seconds to commit), and an
      // impatient one, with the same key, for the step that must stall.
      const notifier = new ChainNotifier({
        chain: client,
        secretKey: env.keys[0]!,
        pollIntervalMs: 50,
        stallMs: 20_000,
      });
      const impatient = new ChainNotifier({
        chain: client,
        secretKey: env.keys[0]!,
        pollIntervalMs: 50,
        stallMs: 1_500,
      });
      const payer = await eth.payers[0]!.getAddress();
      const transfer = (): ObservedTransfer => ({
        txHash: `0x${randomBytes(32).toString("hex")}`,
        logIndex: 0,
        blockNumber: 1,
        blockHash: `0x${"00".repeat(32)}`,
        from: payer,
        amount: 1n,
      });
      const [t1, t2, t3] = [transfer(), transfer(), transfer()];
      await notifier.notify([t1!], { retry: false });
      expect((await env.chain.transfer(t1!.txHash, 0))?.voters).toEqual([env.addresses[0]]);
      // t1 again: CheckTx refuses the duplicate vote, so t2 and t3 (next nonces) never land.
      const stalled = await impatient.notify([t1!, t2!, t3!], { retry: false }).catch((e: unknown) => e);
      expect(stalled).toBeInstanceOf(WatcherError);
      expect((stalled as WatcherError).code).toBe("WATCHER_ERROR_TIMEOUT");
      await notifier.notify([t1!, t2!, t3!], { retry: true });
      for (const t of [t1!, t2!, t3!]) {
        expect((await env.chain.transfer(t.txHash, 0))?.voters).toEqual([env.addresses[0]]);
      }
    } finally {
      client.close();
      // Watcher 0 back for the tests that run after this one (in any order): a fresh instance on its own store.
      a = await env.watcher(0, CONF);
      await a.start();
    }
  });
});
