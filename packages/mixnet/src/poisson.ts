import { reportSafely } from "./guard.js";
import { cryptoRandom, type Random, sampleExponential } from "./random.js";

/**
 * A Poisson process: `tick` runs at exponentially distributed intervals of mean 1/rate seconds, as Loopix's
 * real-or-drop (lambdaP), drop (lambdaD), loop (lambdaL) and mix-loop (lambdaM) streams require. A rate of 0 disables
 * the stream. Each stream owns one timer.
 *
 * A tick that throws never ends the process and never stops the stream: the error is counted in `errors`, handed
 * to `onError` (the daemon logs it), and the next tick is scheduled as usual. One bad item (a node of the topology
 * whose key cannot be used, say) costs one tick, not the process.
 */
export class PoissonStream {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  ticks = 0;
  /** Ticks that threw (caught, counted, passed to `onError`). */
  errors = 0;

  constructor(
    /** Events per second. */
    readonly rate: number,
    private readonly tick: () => void,
    private readonly random: Random = cryptoRandom,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    if (!(rate >= 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be finite and >= 0, got ${rate}`);
  }

  start(): void {
    if (this.running || this.rate === 0) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const waitMs = sampleExponential(1000 / this.rate, this.random);
    this.timer = setTimeout(() => {
      if (!this.running) return;
      this.ticks++;
      try {
        this.tick();
      } catch (error) {
        this.errors++;
        reportSafely(this.onError, error);
      }
      if (this.running) this.schedule();
    }, waitMs);
  }
}
