/**
 * Delay before retry number `attempt` (0-based): exponential from `initialMs`, capped at `maxMs`, with "equal
 * jitter" (between half and all of it) so watchers that failed together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
