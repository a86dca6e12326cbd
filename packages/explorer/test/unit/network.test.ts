import type { MixnodeRegistration, Presence } from "@nym-ts/directory-client/schemas";
import { describe, expect, it } from "vitest";
import { mixnodeStatus, PresenceTracker, type Report, ReportStore } from "../../src/web/network.js";

const key = (c: string) => c.repeat(64);
const T0 = 1_750_000_000_000;

function mixnode(k: string, layer: number, at = T0): Presence<MixnodeRegistration> {
  return {
    node: { identityKey: k, sphinxKey: key("9"), host: "127.0.0.1:1789", layer, version: "0.1.0" },
    registeredAt: at,
    lastSeen: at,
    expiresAt: at + 60_000,
  };
}

function report(receivedAt: number, fields: Partial<Report> = {}): Report {
  return { timestamp: receivedAt, receivedAt, received: 0, sent: {}, dropped: 0, intervalMs: 1000, ...fields };
}

describe("PresenceTracker", () => {
  it("keeps a node the directory stops listing, marked gone at that time, and lists it after the listed ones", () => {
    const tracker = new PresenceTracker();
    tracker.update("mixnode", [mixnode(key("a"), 1), mixnode(key("b"), 1)], T0);
    tracker.update("mixnode", [mixnode(key("b"), 1)], T0 + 5000);
    const nodes = tracker.nodes("mixnode");
    expect(nodes.map((n) => [n.identityKey, n.listed, n.goneAt])).toEqual([
      [key("b"), true, undefined],
      [key("a"), false, T0 + 5000],
    ]);
  });

  it("brings a node that comes back up again, and forgets one down for longer than the retention", () => {
    const tracker = new PresenceTracker(60_000);
    tracker.update("mixnode", [mixnode(key("a"), 1), mixnode(key("b"), 1)], T0);
    tracker.update("mixnode", [], T0 + 1000);
    tracker.update("mixnode", [mixnode(key("a"), 1)], T0 + 2000);
    expect(tracker.nodes("mixnode").map((n) => [n.identityKey, n.listed])).toEqual([
      [key("a"), true],
      [key("b"), false],
    ]);
    tracker.update("mixnode", [mixnode(key("a"), 1)], T0 + 1000 + 60_001);
    expect(tracker.nodes("mixnode").map((n) => n.identityKey)).toEqual([key("a")]);
  });

  it("tells whether a kind has been listed at all", () => {
    const tracker = new PresenceTracker();
    expect(tracker.has("issuer")).toBe(false);
    tracker.update("issuer", [], T0);
    expect(tracker.has("issuer")).toBe(true);
  });
});

describe("ReportStore", () => {
  it("computes a node's rates over the reports of the window, weighted by their intervals", () => {
    const store = new ReportStore();
    store.merge(key("a"), [
      report(T0 - 40_000, { received: 1000, intervalMs: 10_000 }), // outside the 30 s window
      report(T0 - 10_000, { received: 100, sent: { [key("b")]: 60, [key("c")]: 30 }, dropped: 10, intervalMs: 10_000 }),
      report(T0, { received: 200, sent: { [key("b")]: 200 }, intervalMs: 10_000 }),
    ]);
    expect(store.rates(key("a"), T0)).toEqual({ received: 15, sent: 14.5, dropped: 0.5 });
    expect(store.rates(key("z"), T0)).toBeUndefined();
    expect(store.rates(key("a"), T0 + 60_000)).toBeUndefined();
  });

  it("ignores a report merged twice (same signer timestamp)", () => {
    const store = new ReportStore();
    store.merge(key("a"), [report(T0, { received: 10 })]);
    store.merge(key("a"), [report(T0, { received: 10 }), report(T0 + 1000, { received: 30 })]);
    expect(store.rates(key("a"), T0 + 1000)?.received).toBe(20);
    expect(store.lastReport(key("a"))?.receivedAt).toBe(T0 + 1000);
  });

  it("derives what each gateway was delivered from what the mixnodes report sending it", () => {
    const store = new ReportStore();
    const gw1 = key("1");
    const gw2 = key("2");
    store.merge(key("a"), [report(T0, { sent: { [gw1]: 10, [key("b")]: 50 }, intervalMs: 1000 })]);
    store.merge(key("b"), [report(T0, { sent: { [gw1]: 5, [gw2]: 20 }, intervalMs: 2000 })]);
    const delivered = store.ratesInto([gw1, gw2, key("3")], T0);
    expect(Object.fromEntries(delivered)).toEqual({ [gw1]: 12.5, [gw2]: 10, [key("3")]: 0 });
  });

  it("plots rates per layer by spreading each report evenly over the interval it covers", () => {
    const store = new ReportStore();
    const gw = key("9");
    // A 10 s report ending on a bucket boundary covers two 5 s buckets: 100 packets -> 10/s in each.
    store.merge(key("a"), [report(T0, { received: 100, intervalMs: 10_000, sent: { [gw]: 50 }, dropped: 20 })]);
    store.merge(key("b"), [report(T0, { received: 30, intervalMs: 5_000 })]);
    const layerOf = new Map([
      [key("a"), 3],
      [key("b"), 1],
    ]);
    const series = store.series(layerOf, new Set([gw]), T0, 60_000, 5_000, 60_000);
    expect(series.times).toHaveLength(12);
    expect(series.times.at(-1)).toBe(T0 / 1000);
    expect(series.layers[2].slice(-3)).toEqual([0, 10, 10]);
    expect(series.layers[0].slice(-2)).toEqual([0, 6]);
    expect(series.layers[1].every((v) => v === 0)).toBe(true);
    expect(series.delivered.slice(-2)).toEqual([5, 5]);
    expect(series.dropped.slice(-2)).toEqual([2, 2]);
  });

  it("plots a young network from its first report, over at least the minimum span", () => {
    const store = new ReportStore();
    store.merge(key("a"), [report(T0, { received: 5 })]);
    expect(store.series(new Map([[key("a"), 1]]), new Set(), T0, 600_000, 5_000, 60_000).times).toHaveLength(12);
    store.merge(key("a"), [report(T0 - 200_000, { received: 5 })]);
    const longer = store.series(new Map([[key("a"), 1]]), new Set(), T0, 600_000, 5_000, 60_000);
    expect(longer.times.length).toBeGreaterThanOrEqual(41);
    expect(longer.times.length).toBeLessThanOrEqual(42);
  });

  it("ends the plot where every reporting node has reported, and ignores a silent node for that", () => {
    const store = new ReportStore();
    const now = T0 + 4_000;
    // Reports every 2 s, the last 6 s ago: late, not yet silent (three intervals).
    store.merge(key("a"), [report(T0 - 2_000, { received: 10, intervalMs: 2_000 })]);
    store.merge(key("b"), [report(now, { received: 10 })]);
    expect(store.series(new Map(), new Set(), now, 60_000, 5_000, 60_000).times.at(-1)).toBe((T0 - 5_000) / 1000);
    store.merge(key("a"), [report(now - 500, { received: 10, intervalMs: 2_000 })]);
    expect(store.series(new Map(), new Set(), now, 60_000, 5_000, 60_000).times.at(-1)).toBe(T0 / 1000);
    // A node silent for longer than three of its intervals no longer holds the plot back.
    const later = now + 20_000;
    store.merge(key("b"), [report(later, { received: 10 })]);
    expect(store.series(new Map(), new Set(), later, 60_000, 5_000, 60_000).times.at(-1)).toBe((T0 + 20_000) / 1000);
  });

  it("drops reports older than the retention", () => {
    const store = new ReportStore(60_000);
    store.merge(key("a"), [report(T0 - 120_000), report(T0)]);
    store.merge(key("b"), [report(T0 - 120_000)]);
    store.prune(T0);
    expect(store.knows(key("a"))).toBe(true);
    expect(store.knows(key("b"))).toBe(false);
  });
});

describe("mixnodeStatus", () => {
  const tracker = new PresenceTracker();
  tracker.update("mixnode", [mixnode(key("a"), 2)], T0);
  const listed = tracker.nodes("mixnode")[0] as Parameters<typeof mixnodeStatus>[0];

  it("is up while reports arrive, silent after three intervals (at least 5 s) without one, down once unlisted", () => {
    expect(mixnodeStatus(listed, report(T0, { intervalMs: 1000 }), T0 + 4000)).toBe("up");
    expect(mixnodeStatus(listed, report(T0, { intervalMs: 1000 }), T0 + 6000)).toBe("silent");
    expect(mixnodeStatus(listed, report(T0, { intervalMs: 10_000 }), T0 + 25_000)).toBe("up");
    expect(mixnodeStatus(listed, report(T0, { intervalMs: 10_000 }), T0 + 31_000)).toBe("silent");
    expect(mixnodeStatus(listed, undefined, T0 + 1000)).toBe("up");
    expect(mixnodeStatus(listed, undefined, T0 + 10_000)).toBe("silent");
    expect(mixnodeStatus({ ...listed, listed: false, goneAt: T0 }, report(T0), T0)).toBe("down");
  });
});
