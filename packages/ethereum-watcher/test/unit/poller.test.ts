import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import { afterEach, describe, expect, it } from "vitest";
import {
  EthereumSection,
  type EthereumSource,
  type ObservedTransfer,
  type TransferLogBatch,
  TransferPoller,
  WatcherMetrics,
  WatcherStore,
} from "../../src/index.js";
import { WakeTimer } from "../../src/wake-timer.js";

const identity = {
  chainId: 31337,
  tokenAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  pipeAccount: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
};
const log = createLogger({ name: "test", level: "silent" });

/** Blocks 0..n with hashes of the current fork; block `transferAt` holds one transfer. */
class Chain implements EthereumSource {
  hashes: string[] = [];
  transferAt = new Map<number, ObservedTransfer>();
  ranges: [number, number][] = [];

  mine(n: number, fork = "a"): void {
    for (let i = 0; i < n; i++) this.hashes.push(`0x${fork}${this.hashes.length}`);
  }

  async blockNumber(): Promise<number> {
    return this.hashes.length - 1;
  }

  async blockHash(height: number): Promise<string | undefined> {
    return this.hashes[height];
  }

  async transferLogs(fromBlock: number, toBlock: number): Promise<TransferLogBatch> {
    this.ranges.push([fromBlock, toBlock]);
    const transfers = [...this.transferAt.values()].filter(
      (t) => t.blockNumber >= fromBlock && t.blockNumber <= toBlock,
    );
    return { transfers, malformed: 0 };
  }
}

const transfer = (block: number): ObservedTransfer => ({
  txHash: `0x${block.toString(16).padStart(64, "0")}`,
  logIndex: 0,
  blockNumber: block,
  blockHash: `0x${"aa".repeat(32)}`,
  from: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  amount: 5n,
});

const dirs: string[] = [];
const stores: WatcherStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function pollerOver(chain: Chain, ethereum: Record<string, number> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "watcher-poller-"));
  dirs.push(dir);
  const store = new WatcherStore(join(dir, "watcher.sqlite"), identity);
  stores.push(store);
  let woken = 0;
  const poller = new TransferPoller(
    {
      ethereum: EthereumSection.parse({ rpcUrl: "http://127.0.0.1:1", ...identity, confirmations: 2, ...ethereum }),
      retryMaxMs: 1000,
    },
    { source: chain, store, metrics: new WatcherMetrics(), log, onTransfers: () => woken++ },
  );
  return { poller, store, woken: () => woken };
}

describe("TransferPoller", () => {
  it("scans only blocks with enough confirmations, in ranges of maxBlockRange, and reports new transfers", async () => {
    const chain = new Chain();
    chain.mine(11); // head 10
    chain.transferAt.set(4, transfer(4));
    chain.transferAt.set(9, transfer(9));
    const { poller, store, woken } = pollerOver(chain, { maxBlockRange: 3 });
    await poller.poll();
    expect(poller.head).toBe(10);
    expect(chain.ranges).toEqual([
      [0, 2],
      [3, 5],
      [6, 8],
    ]);
    expect(store.nextBlock()).toBe(9);
    expect(store.due(Date.now(), 10).map((t) => t.blockNumber)).toEqual([4]);
    expect(woken()).toBe(1);
    chain.mine(1); // block 9 now has 2 confirmations
    await poller.poll();
    expect(store.due(Date.now(), 10).map((t) => t.blockNumber)).toEqual([4, 9]);
  });

  it("rewinds reorgRescanBlocks and scans again when a reorg went deeper than the confirmations", async () => {
    const chain = new Chain();
    chain.mine(11);
    const { poller, store } = pollerOver(chain, { reorgRescanBlocks: 4 });
    await poller.poll();
    expect(store.nextBlock()).toBe(9);
    // Blocks 6.. replaced by another branch: the scanned block 8 is no longer canonical.
    chain.hashes = chain.hashes.slice(0, 6);
    chain.mine(5, "b");
    chain.transferAt.set(7, transfer(7));
    chain.ranges = [];
    await poller.poll();
    expect(chain.ranges[0]?.[0]).toBe(5);
    expect(store.lastScannedHash()).toBe("0xb8");
    expect(store.due(Date.now(), 10).map((t) => t.blockNumber)).toEqual([7]);
  });
});

describe("WakeTimer", () => {
  it("ends a pause at its time, at wake, and keeps a wake that came while nothing paused", async () => {
    const timer = new WakeTimer();
    const started = Date.now();
    await timer.pause(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    const forever = timer.pause(undefined);
    timer.wake();
    await forever;
    timer.wake();
    await timer.pause(60_000); // returns at once: the earlier wake was kept
    const cancelled = timer.pause(60_000);
    timer.cancel();
    await cancelled;
  });
});
