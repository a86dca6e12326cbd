import { reportSafely } from "./guard.js";

/**
 * A delay queue for per-packet mixing delays: a binary min-heap of due times drained by a single timer, so holding
 * n packets costs O(log n) per packet and one pending timer, not n setTimeouts. Bounded: `push` refuses items past
 * `capacity`, and the caller counts the drop (back-pressure instead of unbounded growth).
 *
 * An `onDue` that throws for one item never ends the process and never stalls the queue: the error is counted in
 * `errors`, handed to `onError` with the item, and the items after it are released as usual.
 */
export interface TimerQueueOptions<T = unknown> {
  /** Most items held at once. */
  capacity: number;
  /** Milliseconds clock; `performance.now` unless a test injects one. */
  now?: () => number;
  /** Called with what `onDue` threw and the item it threw for (the daemon logs and counts it). */
  onError?: (error: unknown, item: T) => void;
}

export class TimerQueue<T> {
  private readonly due: number[] = [];
  private readonly items: T[] = [];
  private readonly seq: number[] = [];
  private counter = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly onError: (error: unknown, item: T) => void;
  readonly capacity: number;
  /** Items whose `onDue` threw (caught, counted, passed to `onError`). */
  errors = 0;

  constructor(
    private readonly onDue: (item: T) => void,
    options: TimerQueueOptions<T>,
  ) {
    if (!(options.capacity >= 1)) throw new RangeError("capacity must be >= 1");
    this.capacity = options.capacity;
    this.now = options.now ?? (() => performance.now());
    this.onError = options.onError ?? (() => {});
  }

  get size(): number {
    return this.items.length;
  }

  /** Holds `item` for `delayMs` (0 means "on the next turn of the event loop"). False when full. */
  push(delayMs: number, item: T): boolean {
    if (this.stopped || this.items.length >= this.capacity) return false;
    const at = this.now() + Math.max(0, delayMs);
    this.due.push(at);
    this.items.push(item);
    this.seq.push(this.counter++);
    this.up(this.items.length - 1);
    this.arm();
    return true;
  }

  /** Drops every held item and the timer; the queue refuses pushes afterwards. */
  stop(): T[] {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const held = this.items.splice(0);
    this.due.length = 0;
    this.seq.length = 0;
    return held;
  }

  private arm(): void {
    const first = this.due[0];
    if (first === undefined || this.stopped) return;
    const wait = first - this.now();
    if (wait <= 1) {
      if (!this.immediate) this.immediate = setImmediate(() => this.drain());
      return;
    }
    if (this.timer && this.timerAt <= first) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = first;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.drain();
    }, wait);
  }

  private drain(): void {
    this.immediate = undefined;
    // Items due within 1 ms are released now: setTimeout cannot do better than that.
    const limit = this.now() + 1;
    let released = 0;
    while (this.items.length > 0 && (this.due[0] as number) <= limit && released < 4096) {
      const item = this.popMin();
      released++;
      try {
        this.onDue(item);
      } catch (error) {
        this.errors++;
        reportSafely(this.onError, error, item);
      }
      if (this.stopped) return;
    }
    this.arm();
  }

  private popMin(): T {
    const top = this.items[0] as T;
    const lastDue = this.due.pop() as number;
    const lastItem = this.items.pop() as T;
    const lastSeq = this.seq.pop() as number;
    if (this.items.length > 0) {
      this.due[0] = lastDue;
      this.items[0] = lastItem;
      this.seq[0] = lastSeq;
      this.down(0);
    }
    return top;
  }

  private less(i: number, j: number): boolean {
    const a = this.due[i] as number;
    const b = this.due[j] as number;
    return a < b || (a === b && (this.seq[i] as number) < (this.seq[j] as number));
  }

  private swap(i: number, j: number): void {
    const d = this.due[i] as number;
    this.due[i] = this.due[j] as number;
    this.due[j] = d;
    const it = this.items[i] as T;
    this.items[i] = this.items[j] as T;
    this.items[j] = it;
    const s = this.seq[i] as number;
    this.seq[i] = this.seq[j] as number;
    this.seq[j] = s;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
