import { describe, expect, it } from "vitest";
import {
  ACTIVITY_EVENT_TYPES,
  ActivityTracker,
  activityQuery,
  type ChainRpc,
  CometStatus,
  CometTxSearch,
  countEvents,
  validatorStatus,
} from "../../src/web/chain.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * An in-memory chain answering the three RPC calls with CometBFT's JSON shapes: one block a second from height 1 at
 * `start`, and txs with events at given heights. Queries are parsed back, so the tracker's queries are checked too.
 */
function memoryChain(start: number, txs: { height: number; type: string; events?: number; code?: number }[]) {
  const calls: string[] = [];
  const timeOf = (h: number) => start + (h - 1) * 1000;
  const rpc = (latest: number): ChainRpc => ({
    async status() {
      calls.push("status");
      return CometStatus.parse({
        result: {
          node_info: { id: "n", moniker: "m", network: "nym-test", version: "0.38" },
          sync_info: {
            latest_block_height: String(latest),
            latest_block_time: iso(timeOf(latest)),
            catching_up: false,
          },
        },
      });
    },
    async blockchain(min, max) {
      calls.push(`blockchain ${min}-${max}`);
      const top = Math.min(max, latest);
      const metas = [];
      for (let h = top; h >= Math.max(1, min); h--) {
        metas.push({ header: { height: h, time: timeOf(h) }, num_txs: 0 });
      }
      return { result: { last_height: latest, block_metas: metas } };
    },
    async txSearch(query, page, perPage) {
      calls.push(`tx_search ${query} p${page}`);
      const m = /^(\w+)\.\w+ EXISTS AND tx\.height > (\d+) AND tx\.height <= (\d+)$/.exec(query);
      if (!m) throw new Error(`unexpected query ${query}`);
      const [, type, from, to] = m;
      const matching = txs.filter(
        (t) => t.type === type && t.height > Number(from) && t.height <= Number(to) && t.height <= latest,
      );
      const pageTxs = matching.slice((page - 1) * perPage, page * perPage).map((t) => ({
        height: String(t.height),
        tx_result: {
          code: t.code ?? 0,
          events: Array.from({ length: t.events ?? 1 }, () => ({
            type: t.type,
            attributes: [{ key: "k", value: "v" }],
          })),
        },
      }));
      return CometTxSearch.parse({ result: { txs: pageTxs, total_count: String(matching.length) } });
    },
  });
  return { rpc, calls, timeOf };
}

describe("ActivityTracker", () => {
  it("looks back over the span on its first poll, then only searches new blocks, dating events by their block", async () => {
    // Blocks every second from T0; 900 blocks = 15 minutes.
    const chain = memoryChain(T0, [
      { height: 100, type: "credential_request" }, // ~13 min before the latest block: outside a 10 min span
      { height: 850, type: "credential_request", events: 2 },
      { height: 851, type: "deposit_credential" },
      { height: 880, type: "zeta_spent", events: 3 },
      { height: 881, type: "credential_request", code: 7 }, // failed: no events count
      { height: 905, type: "deposit_credential" }, // after the first poll
    ]);
    const tracker = new ActivityTracker(10 * 60_000);
    await tracker.poll(chain.rpc(900), { height: 900, time: chain.timeOf(900) });
    expect(tracker.scanned).toBe(900);
    let buckets = tracker.buckets(chain.timeOf(900));
    expect(buckets.times).toHaveLength(10);
    expect(buckets.totals).toEqual({ credential_request: 2, deposit_credential: 1, zeta_spent: 3 });
    // Blocks 850, 851 and 880 are 50, 49 and 20 s before block 900 (at 12:14:59): 850 and 851 in minute 12:14.
    expect(buckets.counts.credential_request.at(-1)).toBe(2);
    expect(buckets.counts.zeta_spent.at(-1)).toBe(3);

    chain.calls.length = 0;
    await tracker.poll(chain.rpc(910), { height: 910, time: chain.timeOf(910) });
    expect(chain.calls.filter((c) => c.startsWith("tx_search"))).toEqual(
      ACTIVITY_EVENT_TYPES.map((t) => `tx_search ${activityQuery(t, 900, 910)} p1`),
    );
    buckets = tracker.buckets(chain.timeOf(910));
    expect(buckets.totals.deposit_credential).toBe(2);
  });

  it("reads every page of a busy span", async () => {
    const txs = Array.from({ length: 250 }, (_, i) => ({ height: 10 + i, type: "zeta_spent" }));
    const chain = memoryChain(T0, txs);
    const tracker = new ActivityTracker(10 * 60_000);
    await tracker.poll(chain.rpc(300), { height: 300, time: chain.timeOf(300) });
    expect(tracker.buckets(chain.timeOf(300)).totals.zeta_spent).toBe(250);
    expect(chain.calls.filter((c) => c.startsWith("tx_search zeta_spent"))).toHaveLength(3);
  });

  it("keeps its position when a poll fails, so the next one searches the same blocks again", async () => {
    const chain = memoryChain(T0, [{ height: 5, type: "credential_request" }]);
    const tracker = new ActivityTracker(60_000);
    const failing: ChainRpc = { ...chain.rpc(10), txSearch: () => Promise.reject(new Error("timeout")) };
    await expect(tracker.poll(failing, { height: 10, time: chain.timeOf(10) })).rejects.toThrow("timeout");
    expect(tracker.scanned).toBeUndefined();
    await tracker.poll(chain.rpc(10), { height: 10, time: chain.timeOf(10) });
    expect(tracker.buckets(chain.timeOf(10)).totals.credential_request).toBe(1);
  });
});

describe("countEvents and validatorStatus", () => {
  it("counts the events of one type in a successful tx only", () => {
    const tx = CometTxSearch.parse({
      result: {
        txs: [
          {
            height: "3",
            tx_result: {
              code: 0,
              events: [{ type: "zeta_spent" }, { type: "zeta_spent", attributes: null }, { type: "transfer" }],
            },
          },
        ],
        total_count: "1",
      },
    }).result.txs[0];
    if (tx === undefined) throw new Error("no tx");
    expect(countEvents(tx, "zeta_spent")).toBe(2);
    expect(countEvents(tx, "deposit_credential")).toBe(0);
    expect(countEvents({ ...tx, tx_result: { ...tx.tx_result, code: 5 } }, "zeta_spent")).toBe(0);
  });

  it("says down, unreachable, syncing, lagging or up", () => {
    const status = (height: number, catchingUp = false) =>
      CometStatus.parse({
        result: {
          node_info: { id: "n", moniker: "m", network: "c", version: "v" },
          sync_info: { latest_block_height: String(height), latest_block_time: iso(T0), catching_up: catchingUp },
        },
      });
    expect(validatorStatus(false, status(10), true, 10)).toBe("down");
    expect(validatorStatus(true, status(10), false, 10)).toBe("unreachable");
    expect(validatorStatus(true, undefined, true, 10)).toBe("unreachable");
    expect(validatorStatus(true, status(10, true), true, 10)).toBe("syncing");
    expect(validatorStatus(true, status(4), true, 10)).toBe("lagging");
    expect(validatorStatus(true, status(9), true, 10)).toBe("up");
  });
});
