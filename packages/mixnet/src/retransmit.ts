import { TimerQueue } from "./timer-queue.js";

export interface RetransmitOptions<T> {
  /** How long to wait for an ack of a packet sent with expected mixing delay `expectedMs` (attempt counts from 1). */
  ackTimeoutMs: (attempt: number) => number;
  /** Sends after which the packet is given up. */
  maxAttempts: number;
  /**
   * Send the packet again (a new route and a new ack SURB are the caller's business); call `sent` when it actually
   * leaves, which arms the next timeout.
   */
  retransmit: (key: string, item: T, attempt: number) => void;
  giveUp?: (key: string, item: T) => void;
  /** Packets awaiting an ack at once. */
  capacity?: number;
  /** What `retransmit` or `giveUp` threw for one packet (caught and counted in `errors`; the queue runs on). */
  onError?: (error: unknown, key: string) => void;
}

interface Pending<T> {
  item: T;
  attempt: number;
}

/**
 * Acks with retransmission: every sent packet waits for its ack in one timer queue; an ack removes it, a timeout sends
 * it again, up to `maxAttempts` sends. Keys are the caller's (message id + fragment index).
 */
export class RetransmitQueue<T> {
  private readonly pending = new Map<string, Pending<T>>();
  private readonly timers: TimerQueue<{ key: string; attempt: number }>;
  retransmissions = 0;
  givenUp = 0;
  acked = 0;

  constructor(private readonly options: RetransmitOptions<T>) {
    this.timers = new TimerQueue((entry) => this.onTimeout(entry.key, entry.attempt), {
      capacity: options.capacity ?? 1_000_000,
      onError: (error, entry) => options.onError?.(error, entry.key),
    });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Timeouts whose `retransmit` or `giveUp` threw (caught, counted, passed to `onError`). */
  get errors(): number {
    return this.timers.errors;
  }

  /** Records a packet that waits for an ack; its timeout starts at `sent`. */
  track(key: string, item: T): void {
    this.pending.set(key, { item, attempt: 1 });
  }

  /**
   * The packet left now (its first send or a retransmission): arm its ack timeout. Time spent queued for the
   * Poisson send slot does not count against the ack.
   */
  sent(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.timers.push(this.options.ackTimeoutMs(entry.attempt), { key, attempt: entry.attempt });
  }

  /** An ack arrived; true when it matched a packet still waiting. */
  ack(key: string): boolean {
    const had = this.pending.delete(key);
    if (had) this.acked++;
    return had;
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  stop(): void {
    this.timers.stop();
    this.pending.clear();
  }

  private onTimeout(key: string, attempt: number): void {
    const entry = this.pending.get(key);
    if (!entry || entry.attempt !== attempt) return;
    if (attempt >= this.options.maxAttempts) {
      this.pending.delete(key);
      this.givenUp++;
      this.options.giveUp?.(key, entry.item);
      return;
    }
    entry.attempt++;
    this.retransmissions++;
    this.options.retransmit(key, entry.item, entry.attempt);
  }
}
