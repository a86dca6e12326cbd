import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ObservedTransfer, WatcherError, WatcherStore } from "../../src/index.js";

const identity = {
  chainId: 31337,
  tokenAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  pipeAccount: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
};

function transfer(block: number, index: number, amount = 10n): ObservedTransfer {
  return {
    txHash: `0x${block.toString(16).padStart(64, "0")}`,
    logIndex: index,
    blockNumber: block,
    blockHash: `0x${"aa".repeat(32)}`,
    from: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    amount,
  };
}

const dirs: string[] = [];
function file(): string {
  const dir = mkdtempSync(join(tmpdir(), "watcher-store-"));
  dirs.push(dir);
  return join(dir, "watcher.sqlite");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("WatcherStore", () => {
  it("records a range and its checkpoint together, and survives reopening", () => {
    const path = file();
    const store = new WatcherStore(path, identity);
    expect(store.nextBlock()).toBeUndefined();
    expect(store.commitRange([transfer(3, 0), transfer(5, 1)], 6, "0xhash5")).toBe(2);
    store.close();
    const again = new WatcherStore(path, identity);
    expect(again.nextBlock()).toBe(6);
    expect(again.lastScannedHash()).toBe("0xhash5");
    expect(again.due(Date.now(), 10).map((t) => t.blockNumber)).toEqual([3, 5]);
    again.close();
  });

  it("records a (txHash, logIndex) once however often it is seen", () => {
    const store = new WatcherStore(file(), identity);
    expect(store.commitRange([transfer(3, 0)], 4, "0x4")).toBe(1);
    expect(store.commitRange([transfer(3, 0), transfer(3, 1)], 5, "0x5")).toBe(1);
    store.markNotified([transfer(3, 0)]);
    expect(store.commitRange([transfer(3, 0)], 6, "0x6")).toBe(0);
    expect(store.all().map((t) => [t.logIndex, t.status])).toEqual([
      [0, "notified"],
      [1, "pending"],
    ]);
    store.close();
  });

  it("schedules failed notifications for later and drops nothing", () => {
    const store = new WatcherStore(file(), identity);
    store.commitRange([transfer(3, 0)], 4, "0x4");
    store.markFailed([transfer(3, 0)], 5_000);
    expect(store.due(4_999, 10)).toEqual([]);
    expect(store.due(5_000, 10)[0]?.attempts).toBe(1);
    store.close();
  });

  it("refuses a database made for another token or pipe account", () => {
    const path = file();
    new WatcherStore(path, identity).close();
    expect(() => new WatcherStore(path, { ...identity, pipeAccount: identity.tokenAddress })).toThrow(WatcherError);
    expect(() => new WatcherStore(path, { ...identity, chainId: 1 })).toThrow(/chainId/);
  });

  it("rewinds past a deep reorg, forgetting only transfers not yet notified", () => {
    const store = new WatcherStore(file(), identity);
    store.commitRange([transfer(3, 0), transfer(7, 0), transfer(8, 0)], 10, "0x9");
    store.markNotified([transfer(7, 0)]);
    expect(store.notifiedFrom(5)).toBe(1);
    expect(store.rewind(5)).toBe(1);
    expect(store.nextBlock()).toBe(5);
    expect(store.lastScannedHash()).toBeUndefined();
    expect(store.all().map((t) => t.blockNumber)).toEqual([3, 7]);
    store.close();
  });
});
