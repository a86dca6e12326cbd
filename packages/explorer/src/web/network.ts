import type { NodeKind, Presence, RegistrationByKind } from "@nym-ts/directory-client/schemas";

/**
 * The page's memory of the network, without the DOM: which nodes the directory lists (and which it listed before and
 * no longer does, shown as down), and the mixnodes' metric reports, from which packet rates per node, per gateway and
 * per layer are computed. Times are Unix ms on the directory's clock.
 */

/** A node the page has seen: `down` once the directory stops listing it (expired or deregistered). */
export interface TrackedNode<K extends NodeKind = NodeKind> {
  kind: K;
  identityKey: string;
  node: RegistrationByKind[K];
  registeredAt: number;
  lastSeen: number;
  expiresAt: number;
  listed: boolean;
  /** When the directory stopped listing it. */
  goneAt: number | undefined;
}

/** Keeps each kind's registrations, and nodes that left, for `downRetentionMs` after they left. */
export class PresenceTracker {
  readonly #byKind = new Map<NodeKind, Map<string, TrackedNode>>();

  constructor(private readonly downRetentionMs = 10 * 60_000) {}

  /** Applies one full listing of `kind` (a successful GET /api/v1/presence/{kind}). */
  update<K extends NodeKind>(kind: K, listing: readonly Presence<RegistrationByKind[K]>[], now: number): void {
    let known = this.#byKind.get(kind);
    if (known === undefined) {
      known = new Map();
      this.#byKind.set(kind, known);
    }
    const listed = new Set<string>();
    for (const entry of listing) {
      const identityKey = entry.node.identityKey;
      listed.add(identityKey);
      known.set(identityKey, {
        kind,
        identityKey,
        node: entry.node,
        registeredAt: entry.registeredAt,
        lastSeen: entry.lastSeen,
        expiresAt: entry.expiresAt,
        listed: true,
        goneAt: undefined,
      });
    }
    for (const [key, node] of known) {
      if (listed.has(key)) continue;
      if (node.listed) {
        node.listed = false;
        node.goneAt = now;
      } else if (node.goneAt !== undefined && now - node.goneAt > this.downRetentionMs) {
        known.delete(key);
      }
    }
  }

  /** The nodes of `kind`, listed ones first, each group by identity key. */
  nodes<K extends NodeKind>(kind: K): TrackedNode<K>[] {
    const all = [...(this.#byKind.get(kind)?.values() ?? [])] as TrackedNode<K>[];
    return all.sort((a, b) =>
      a.listed !== b.listed
        ? a.listed
          ? -1
          : 1
        : a.identityKey < b.identityKey
          ? -1
          : a.identityKey > b.identityKey
            ? 1
            : 0,
    );
  }

  /** Whether any listing of `kind` has been applied. */
  has(kind: NodeKind): boolean {
    return this.#byKind.has(kind);
  }
}

/** One metrics report of a mixnode as the directory stored it. */
export interface Report {
  timestamp: number;
  receivedAt: number;
  received: number;
  sent: Record<string, number>;
  dropped: number;
  intervalMs: number;
}

/** Packets per second. */
export interface Rates {
  received: number;
  sent: number;
  dropped: number;
}

/** A time series for the plot: `times` in Unix seconds (uPlot's x axis), one array of rates per line. */
export interface RateSeries {
  times: number[];
  /** Packets per second received by the mixnodes of layer 1, 2 and 3. */
  layers: [number[], number[], number[]];
  /** Packets per second the last layer delivered to gateways. */
  delivered: number[];
  /** Packets per second dropped by any mixnode. */
  dropped: number[];
}

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/** The mixnodes' reports (deduplicated by signer timestamp), kept for `retentionMs`. */
export class ReportStore {
  readonly #byNode = new Map<string, Map<number, Report>>();

  constructor(private readonly retentionMs = 15 * 60_000) {}

  /** Adds reports of one node (any order, repeats ignored). */
  merge(identityKey: string, reports: readonly Report[]): void {
    let mine = this.#byNode.get(identityKey);
    if (mine === undefined) {
      mine = new Map();
      this.#byNode.set(identityKey, mine);
    }
    for (const report of reports) mine.set(report.timestamp, report);
  }

  /** Drops reports older than the retention, and nodes left without reports. */
  prune(now: number): void {
    const cutoff = now - this.retentionMs;
    for (const [key, reports] of this.#byNode) {
      for (const [ts, report] of reports) if (report.receivedAt < cutoff) reports.delete(ts);
      if (reports.size === 0) this.#byNode.delete(key);
    }
  }

  /** Whether any report of the node is held (the first fetch asks for more history). */
  knows(identityKey: string): boolean {
    return this.#byNode.has(identityKey);
  }

  lastReport(identityKey: string): Report | undefined {
    let last: Report | undefined;
    for (const report of this.#byNode.get(identityKey)?.values() ?? []) {
      if (last === undefined || report.receivedAt > last.receivedAt) last = report;
    }
    return last;
  }

  #recent(identityKey: string, now: number, windowMs: number): Report[] {
    const since = now - windowMs;
    return [...(this.#byNode.get(identityKey)?.values() ?? [])].filter((r) => r.receivedAt > since);
  }

  /** A node's rates over the reports received in the last `windowMs`; undefined without any. */
  rates(identityKey: string, now: number, windowMs = 30_000): Rates | undefined {
    const recent = this.#recent(identityKey, now, windowMs);
    const span = sum(recent.map((r) => r.intervalMs));
    if (span === 0) return undefined;
    return {
      received: (sum(recent.map((r) => r.received)) * 1000) / span,
      sent: (sum(recent.map((r) => sum(Object.values(r.sent)))) * 1000) / span,
      dropped: (sum(recent.map((r) => r.dropped)) * 1000) / span,
    };
  }

  /**
   * Packets per second each node of `targets` received from the mixnodes, by what the mixnodes report having sent
   * to it (a gateway reports nothing itself: what the last layer sent it is what it was delivered).
   */
  ratesInto(targets: readonly string[], now: number, windowMs = 30_000): Map<string, number> {
    const out = new Map<string, number>(targets.map((t) => [t, 0]));
    for (const key of this.#byNode.keys()) {
      const recent = this.#recent(key, now, windowMs);
      const span = sum(recent.map((r) => r.intervalMs));
      if (span === 0) continue;
      for (const target of targets) {
        const count = sum(recent.map((r) => r.sent[target] ?? 0));
        if (count > 0) out.set(target, (out.get(target) ?? 0) + (count * 1000) / span);
      }
    }
    return out;
  }

  /**
   * Rates over the last `spanMs` (from the first report held, when that is later, but over at least `minSpanMs`) in
   * buckets of `bucketMs`: each report's counts spread evenly over the interval it covers, so a node reporting every
   * 10 s and one reporting every second plot alike.
   */
  series(
    layerOf: ReadonlyMap<string, number>,
    gateways: ReadonlySet<string>,
    now: number,
    spanMs = 10 * 60_000,
    bucketMs = 5_000,
    minSpanMs = 2 * 60_000,
  ): RateSeries {
    // The plot ends where every reporting node has reported: a bucket whose reports are still on their way would
    // show as a dip at the right edge.
    let complete = now;
    for (const reports of this.#byNode.values()) {
      let last: Report | undefined;
      for (const r of reports.values()) if (last === undefined || r.receivedAt > last.receivedAt) last = r;
      if (last !== undefined && now - last.receivedAt <= Math.max(5_000, 3 * last.intervalMs)) {
        complete = Math.min(complete, last.receivedAt);
      }
    }
    const end = Math.floor(complete / bucketMs) * bucketMs;
    // A young network plots from its first report (at least `minSpanMs`), not across minutes of nothing.
    let earliest = end;
    for (const reports of this.#byNode.values()) {
      for (const r of reports.values()) earliest = Math.min(earliest, r.receivedAt - r.intervalMs);
    }
    const wanted = Math.max(minSpanMs, end - Math.floor(earliest / bucketMs) * bucketMs + bucketMs);
    const buckets = Math.max(1, Math.ceil(Math.min(spanMs, wanted) / bucketMs));
    const start = end - buckets * bucketMs;
    const zeros = () => new Array<number>(buckets).fill(0);
    const layers: [number[], number[], number[]] = [zeros(), zeros(), zeros()];
    const delivered = zeros();
    const dropped = zeros();
    const spread = (target: number[], count: number, from: number, to: number) => {
      if (count === 0 || to <= from) return;
      const perMs = count / (to - from);
      const first = Math.max(0, Math.floor((from - start) / bucketMs));
      const last = Math.min(buckets - 1, Math.floor((to - 1 - start) / bucketMs));
      for (let b = first; b <= last; b++) {
        const lo = Math.max(from, start + b * bucketMs);
        const hi = Math.min(to, start + (b + 1) * bucketMs);
        if (hi > lo) target[b] = (target[b] as number) + perMs * (hi - lo);
      }
    };
    for (const [key, reports] of this.#byNode) {
      const layer = layerOf.get(key);
      for (const r of reports.values()) {
        const to = r.receivedAt;
        const from = to - r.intervalMs;
        if (to <= start || from >= end) continue;
        if (layer !== undefined && layer >= 1 && layer <= 3)
          spread(layers[layer - 1] as number[], r.received, from, to);
        spread(dropped, r.dropped, from, to);
        let toGateways = 0;
        for (const [target, count] of Object.entries(r.sent)) if (gateways.has(target)) toGateways += count;
        spread(delivered, toGateways, from, to);
      }
    }
    const perSecond = (counts: number[]) => counts.map((c) => (c * 1000) / bucketMs);
    return {
      times: Array.from({ length: buckets }, (_, b) => (start + (b + 1) * bucketMs) / 1000),
      layers: [perSecond(layers[0]), perSecond(layers[1]), perSecond(layers[2])],
      delivered: perSecond(delivered),
      dropped: perSecond(dropped),
    };
  }
}

/** What the page says about a mixnode. */
export type MixnodeStatus = "up" | "silent" | "down";

/**
 * `down` when the directory no longer lists it; `silent` when listed but without a metrics report for three of its
 * report intervals (at least `minSilenceMs`): it is registered, yet not forwarding or not reporting.
 */
export function mixnodeStatus(
  tracked: TrackedNode<"mixnode">,
  last: Report | undefined,
  now: number,
  minSilenceMs = 5_000,
): MixnodeStatus {
  if (!tracked.listed) return "down";
  const reference = last?.receivedAt ?? tracked.registeredAt;
  const allowed = Math.max(minSilenceMs, 3 * (last?.intervalMs ?? 0));
  return now - reference > allowed ? "silent" : "up";
}
