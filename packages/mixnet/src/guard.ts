/**
 * Timer and stream callbacks must never end the process on a per-item error: `PoissonStream` and `TimerQueue` catch
 * what their callback throws, count it and hand it to an error handler. The handler is the caller's (a daemon logs
 * there); it must not throw either, but if it does, that is swallowed here too, since nothing up the stack of a timer
 * callback could catch it.
 */
export function reportSafely<A extends unknown[]>(handler: (...args: A) => void, ...args: A): void {
  try {
    handler(...args);
  } catch {
    // The error handler itself failed: nothing more can be done without risking the process.
  }
}

/**
 * Wraps a per-item callback (a frame handler, an event listener): what it throws is passed to `onError` and the
 * wrapper returns normally, so the event source keeps running.
 */
export function guarded<A extends unknown[]>(
  callback: (...args: A) => void,
  onError: (error: unknown) => void,
): (...args: A) => void {
  return (...args) => {
    try {
      callback(...args);
    } catch (error) {
      reportSafely(onError, error);
    }
  };
}
