/**
 * Loop statistics: every loop (and every acked packet) names the nodes of its route; a loop that comes back credits
 * them, one that times out debits them. A node on many failed routes and few returned ones stands out: that is how a
 * client (or a mix, with its own loops) exposes a node that drops packets.
 */
export interface NodeLoopStats {
  node: string;
  sent: number;
  returned: number;
  lost: number;
  /** returned / (returned + lost); 1 with no finished samples. */
  ratio: number;
}

export interface LoopStatsOptions {
  /** A loop not back within this many ms counts as lost. */
  timeoutMs: number;
  now?: () => number;
  /** Loops in flight remembered at once. */
  capacity?: number;
}

export class LoopStats {
  private readonly inFlight = new Map<string, { route: string[]; sentAt: number }>();
  private readonly perNode = new Map<string, { sent: number; returned: number; lost: number }>();
  private readonly now: () => number;
  private readonly latencies: number[] = [];
  sent = 0;
  returned = 0;
  lost = 0;

  constructor(private readonly options: LoopStatsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A loop left along `route` (node ids as hex). */
  recordSent(loopId: string, route: string[]): void {
    this.expire();
    if (this.inFlight.size >= (this.options.capacity ?? 100_000)) return;
    this.inFlight.set(loopId, { route, sentAt: this.now() });
    this.sent++;
    for (const node of route) this.node(node).sent++;
  }

  /** A loop came back; false for an unknown or expired id (a forgery or a very late loop). */
  recordReturned(loopId: string): boolean {
    const entry = this.inFlight.get(loopId);
    if (!entry) return false;
    this.inFlight.delete(loopId);
    this.returned++;
    this.latencies.push(this.now() - entry.sentAt);
    if (this.latencies.length > 10_000) this.latencies.shift();
    for (const node of entry.route) this.node(node).returned++;
    return true;
  }

  /** Per-node figures, worst ratio first. */
  report(): NodeLoopStats[] {
    this.expire();
    return [...this.perNode.entries()]
      .map(([node, s]) => ({ node, ...s, ratio: s.returned + s.lost === 0 ? 1 : s.returned / (s.returned + s.lost) }))
      .sort((a, b) => a.ratio - b.ratio);
  }

  /**
   * Nodes whose loops come back less than `threshold` of the time over at least `minSamples` finished loops, and
   * strictly worse than the median node: losing a loop debits every node on its route, so a healthy node that shares
   * routes with a dead one is debited too, but less.
   */
  suspects(minSamples = 5, threshold = 0.5): Set<string> {
    const rows = this.report().filter((r) => r.returned + r.lost >= minSamples);
    const ratios = rows.map((r) => r.ratio).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)] ?? 1;
    return new Set(rows.filter((r) => r.ratio < threshold && r.ratio < median).map((r) => r.node));
  }

  /** Loop round-trip times in ms, most recent last. */
  roundTrips(): readonly number[] {
    return this.latencies;
  }

  private node(id: string): { sent: number; returned: number; lost: number } {
    let s = this.perNode.get(id);
    if (!s) {
      s = { sent: 0, returned: 0, lost: 0 };
      this.perNode.set(id, s);
    }
    return s;
  }

  private expire(): void {
    const cutoff = this.now() - this.options.timeoutMs;
    for (const [id, entry] of this.inFlight) {
      if (entry.sentAt >= cutoff) break;
      this.inFlight.delete(id);
      this.lost++;
      for (const node of entry.route) this.node(node).lost++;
    }
  }
}
