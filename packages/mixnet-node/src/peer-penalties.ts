/**
 * Counts the frames each neighbour sends that no honest node ever sends (Sphinx packets of no Sphinx size, frame
 * types a mixnode never receives) and names the neighbour that crossed its budget. A link is authenticated by Noise,
 * so such frames are the neighbour's own doing: cutting its link after `limit` of them in `windowMs` bounds the work
 * and the memory one peer can make a node spend on them (issue 15: a burst of 20,000 garbage frames).
 * Not counted, because an honest neighbour forwards them too: packets whose MAC fails (a sender can make any layer
 * after the first fail, and the hop before cannot tell) and replays (injected upstream).
 */
export interface PeerPenaltyOptions {
  /** Bad frames a neighbour may send within `windowMs` before its link is refused. */
  limit: number;
  windowMs: number;
  /** How long a refused neighbour stays refused. */
  banMs: number;
}

export const DEFAULT_PEER_PENALTIES: PeerPenaltyOptions = { limit: 100, windowMs: 10_000, banMs: 30_000 };

/** Neighbours tracked at once; the oldest windows are forgotten first. */
const TRACKED_CAP = 10_000;

export class PeerPenalties {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly options: PeerPenaltyOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one bad frame from `peer` (hex); true when this frame takes it over the limit (its window restarts). */
  record(peer: string): boolean {
    const now = this.now();
    let window = this.windows.get(peer);
    if (window === undefined || now - window.start > this.options.windowMs) {
      this.windows.delete(peer);
      window = { start: now, count: 0 };
      this.windows.set(peer, window);
      if (this.windows.size > TRACKED_CAP) this.windows.delete(this.windows.keys().next().value as string);
    }
    window.count++;
    if (window.count <= this.options.limit) return false;
    this.windows.delete(peer);
    return true;
  }
}
