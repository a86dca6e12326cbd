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
  /** Returned share of the node's last `window` finished samples; 1 with none. */
  ratio: number;
  /** Finished samples in the window. */
  samples: number;
}

export interface LoopStatsOptions {
  /** A loop not back within this many ms counts as lost. */
  timeoutMs: number;
  now?: () => number;
  /** Loops in flight remembered at once. */
  capacity?: number;
  /** Finished samples per node that count towards its ratio (older ones age out, so a node that dies shows). */
  window?: number;
}

interface NodeState {
  sent: number;
  returned: number;
  lost: number;
  recent: boolean[];
}

export class LoopStats {
  private readonly inFlight = new Map<string, { route: string[]; sentAt: number }>();
  private readonly perNode = new Map<string, NodeState>();
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
    for (const node of entry.route) this.finish(this.node(node), true);
    return true;
  }

  /** Per-node figures, worst ratio first. */
  report(): NodeLoopStats[] {
    this.expire();
    return [...this.perNode.entries()]
      .map(([node, s]) => {
        const good = s.recent.filter(Boolean).length;
        return {
          node,
          sent: s.sent,
          returned: s.returned,
          lost: s.lost,
          samples: s.recent.length,
          ratio: s.recent.length === 0 ? 1 : good / s.recent.length,
        };
      })
      .sort((a, b) => a.ratio - b.ratio);
  }

  /**
   * Nodes whose recent samples (at least `minSamples`) come back less than `factor` times as often as the median
   * node's. A lost loop debits every node on its route, so healthy nodes that share routes with a dead one are
   * debited too; comparing with the median, not with an absolute bar, keeps them off the list.
   */
  suspects(minSamples = 5, factor = 0.5): Set<string> {
    const rows = this.report().filter((r) => r.samples >= minSamples);
    const ratios = rows.map((r) => r.ratio).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)] ?? 1;
    return new Set(rows.filter((r) => r.ratio < factor * median || (r.ratio === 0 && median > 0)).map((r) => r.node));
  }

  /** Loop round-trip times in ms, most recent last. */
  roundTrips(): readonly number[] {
    return this.latencies;
  }

  private node(id: string): NodeState {
    let s = this.perNode.get(id);
    if (!s) {
      s = { sent: 0, returned: 0, lost: 0, recent: [] };
      this.perNode.set(id, s);
    }
    return s;
  }

  private finish(state: NodeState, returned: boolean): void {
    if (returned) state.returned++;
    else state.lost++;
    state.recent.push(returned);
    if (state.recent.length > (this.options.window ?? 64)) state.recent.shift();
  }

  private expire(): void {
    const cutoff = this.now() - this.options.timeoutMs;
    for (const [id, entry] of this.inFlight) {
      if (entry.sentAt >= cutoff) break;
      this.inFlight.delete(id);
      this.lost++;
      for (const node of entry.route) this.finish(this.node(node), false);
    }
  }
}
