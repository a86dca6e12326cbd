/**
 * The pause between two rounds of a watcher loop: ends after `ms` (never, when undefined), at `wake()`, or at
 * `cancel()`. A wake that comes while the loop is busy is kept, so the next pause ends at once and no work is missed.
 */
export class WakeTimer {
  #timer: NodeJS.Timeout | undefined;
  #resolve: (() => void) | undefined;
  #woken = false;

  pause(ms: number | undefined): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      if (ms !== undefined) this.#timer = setTimeout(() => this.#end(), ms);
    });
  }

  wake(): void {
    if (this.#resolve) this.#end();
    else this.#woken = true;
  }

  /** Ends a pause in progress (for stop). */
  cancel(): void {
    this.#end();
    this.#woken = false;
  }

  #end(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.();
  }
}
