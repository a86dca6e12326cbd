import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type HealthBody } from "@nym-ts/common";
import { afterEach, describe, expect, it } from "vitest";
import {
  createEthereumWatcher,
  type EthereumSource,
  type EthereumWatcher,
  type ObservedTransfer,
  type TransferLogBatch,
  type TransferNotifier,
  WatcherError,
} from "../../src/index.js";
import { eventually } from "../helpers/anvil-env.js";
import { TestLedger } from "../helpers/ledger.js";

const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const PIPE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const PAYER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

/** A scripted Ethereum: a list of blocks (hash + transfers) that tests extend and rewrite (reorgs). */
class FakeEthereum implements EthereumSource {
  blocks: { hash: string; transfers: ObservedTransfer[] }[] = [{ hash: "0xgenesis", transfers: [] }];
  malformedPerCall = 0;
  failNext = 0;
  #fork = 0;

  mine(count = 1, transfers: { amount: bigint; id: string }[] = []): void {
    for (let i = 0; i < count; i++) {
      const height = this.blocks.length;
      const hash = `0xblock${height}-${this.#fork}`;
      this.blocks.push({
        hash,
        transfers: (i === 0 ? transfers : []).map((t, logIndex) => ({
          txHash: t.id,
          logIndex,
          blockNumber: height,
          blockHash: hash,
          from: PAYER,
          amount: t.amount,
        })),
      });
    }
  }

  /** Replaces everything above `height` with a new branch of `length` empty blocks. */
  reorg(height: number, length: number): void {
    this.#fork++;
    this.blocks = this.blocks.slice(0, height + 1);
    this.mine(length);
  }

  async blockNumber(): Promise<number> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("connection refused");
    }
    return this.blocks.length - 1;
  }

  async blockHash(height: number): Promise<string | undefined> {
    return this.blocks[height]?.hash;
  }

  async transferLogs(fromBlock: number, toBlock: number): Promise<TransferLogBatch> {
    const transfers = this.blocks.slice(fromBlock, toBlock + 1).flatMap((b) => b.transfers);
    return { transfers, malformed: this.malformedPerCall };
  }
}

const dirs: string[] = [];
const running: EthereumWatcher[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function watcherOver(eth: FakeEthereum, notifier: TransferNotifier, confirmations: number) {
  const dataDir = mkdtempSync(join(tmpdir(), "watcher-unit-"));
  dirs.push(dataDir);
  const watcher = createEthereumWatcher(
    {
      ethereum: {
        rpcUrl: "http://127.0.0.1:1",
        chainId: 31337,
        tokenAddress: TOKEN,
        pipeAccount: PIPE,
        confirmations,
        pollIntervalMs: 10,
      },
      dataDir,
      notify: { retryInitialMs: 10, retryMaxMs: 50 },
      http: { port: 0 },
    },
    { log: createLogger({ name: "test", level: "silent" }), notifier, source: eth },
  );
  running.push(watcher);
  return { watcher, dataDir };
}

describe("createEthereumWatcher (scripted Ethereum)", () => {
  it("acts on a transfer exactly when head - confirmations reaches its block", async () => {
    const eth = new FakeEthereum();
    const ledger = new TestLedger(1);
    const { watcher } = watcherOver(eth, ledger.notifier("w"), 3);
    await watcher.start();
    eth.mine(1, [{ amount: 5n, id: "0xt1" }]); // block 1
    eth.mine(2); // head 3: block 1 has head - 3 = 0 < 1
    await watcher.polled();
    await watcher.polled();
    expect(watcher.store.all()).toEqual([]);
    eth.mine(1); // head 4: 4 - 3 = 1
    expect(await eventually(() => ledger.balance(PAYER) === 5n, 5_000)).toBe(true);
  });

  it("rescans after a reorg deeper than the confirmations and records the new branch's transfers", async () => {
    const eth = new FakeEthereum();
    const ledger = new TestLedger(1);
    const { watcher } = watcherOver(eth, ledger.notifier("w"), 1);
    await watcher.start();
    eth.mine(1, [{ amount: 1n, id: "0xold" }]);
    eth.mine(3);
    expect(await eventually(() => watcher.store.all().length === 1, 5_000)).toBe(true);
    // A 4-block reorg, deeper than 1 confirmation: the old transfer (already notified) cannot be recalled, but
    // the new branch's transfer must still be found.
    eth.reorg(0, 1);
    eth.mine(1, [{ amount: 2n, id: "0xnew" }]);
    eth.mine(3);
    expect(await eventually(() => ledger.balance(PAYER) === 3n, 5_000)).toBe(true);
    const metrics = await (await fetch(`${watcher.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^nym_ethereum_watcher_deep_reorgs_total 1$/m);
  });

  it("counts malformed logs, survives RPC failures, and reports health", async () => {
    const eth = new FakeEthereum();
    eth.malformedPerCall = 2;
    eth.failNext = 3;
    const ledger = new TestLedger(1);
    const { watcher } = watcherOver(eth, ledger.notifier("w"), 0);
    await watcher.start();
    eth.mine(1, [{ amount: 9n, id: "0xt" }]);
    expect(await eventually(() => ledger.balance(PAYER) === 9n, 5_000)).toBe(true);
    const metrics = await (await fetch(`${watcher.httpUrl}/metrics`)).text();
    expect(Number(/^nym_ethereum_watcher_malformed_logs_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/^nym_ethereum_watcher_ethereum_rpc_errors_total 3$/m);
    const health = (await (await fetch(`${watcher.httpUrl}/health`)).json()) as HealthBody;
    expect(health.status).toBe("ok");
    expect(health.checks.ethereum?.ok).toBe(true);
  });

  it("sets aside a notification the chain refuses for good and goes on with the others", async () => {
    const eth = new FakeEthereum();
    const ledger = new TestLedger(1);
    const refusing = ledger.notifier("w");
    const { watcher: picky } = watcherOver(
      eth,
      {
        notify: async (transfers) => {
          if (transfers.some((t) => t.txHash === "0xbad")) {
            throw new WatcherError("WATCHER_ERROR_NOTIFICATION_REJECTED", "refused", {});
          }
          await refusing.notify(transfers);
        },
      },
      0,
    );
    await picky.start();
    eth.mine(1, [
      { amount: 1n, id: "0xgood1" },
      { amount: 2n, id: "0xbad" },
      { amount: 4n, id: "0xgood2" },
    ]);
    expect(await eventually(() => ledger.balance(PAYER) === 5n, 5_000)).toBe(true);
    expect(picky.store.all().map((t) => [t.txHash, t.status])).toEqual([
      ["0xgood1", "notified"],
      ["0xbad", "rejected"],
      ["0xgood2", "notified"],
    ]);
  });

  it("rejects an invalid config before touching anything", () => {
    const ledger = new TestLedger(1);
    expect(() =>
      createEthereumWatcher(
        {
          ethereum: { rpcUrl: "not a url", chainId: 1, tokenAddress: TOKEN, pipeAccount: "0x1234" },
          dataDir: "/nonexistent",
        },
        { log: createLogger({ name: "t", level: "silent" }), notifier: ledger.notifier("w") },
      ),
    ).toThrow(/pipeAccount|rpcUrl/);
  });
});
