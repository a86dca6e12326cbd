import type { Logger } from "@nym-ts/common";

/**
 * Where a daemon's timer, stream and event callbacks report what they threw for one item (the generic guard of
 * `PoissonStream`, `TimerQueue`, the transport's frame handlers): counted by site, logged at warn at most once per
 * `logEveryMs` per site with the count since the last line, so one bad item costs one line and a bad item every tick
 * costs one line per interval, never the process.
 */
export class CaughtErrors {
  /** Errors caught, by site (`mix-core.loop`, `mix-core.forward`, ...). */
  readonly bySite: Record<string, number> = {};
  private readonly lastLog = new Map<string, { at: number; countAtLog: number }>();

  constructor(
    private readonly log: Logger,
    private readonly logEveryMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get total(): number {
    let n = 0;
    for (const count of Object.values(this.bySite)) n += count;
    return n;
  }

  /** Counts `error` at `site` and logs it unless this site logged less than `logEveryMs` ago. */
  record(site: string, error: unknown): void {
    const count = (this.bySite[site] ?? 0) + 1;
    this.bySite[site] = count;
    const now = this.now();
    const last = this.lastLog.get(site);
    if (last !== undefined && now - last.at < this.logEveryMs) return;
    this.lastLog.set(site, { at: now, countAtLog: count });
    const err = error instanceof Error ? error : new Error(String(error));
    this.log.warn(
      {
        site,
        err: err.message,
        code: (err as { code?: unknown }).code,
        since: last === undefined ? count : count - last.countAtLog,
        total: count,
      },
      "callback error caught, item skipped",
    );
  }

  /** An error handler for one site, as `PoissonStream` and `TimerQueue` take it. */
  at(site: string): (error: unknown) => void {
    return (error) => this.record(site, error);
  }
}
