/** Display helpers of the page (DOM-free). */

/** `a1b2c3d4…9f0e`: enough of a hex key to tell nodes apart; the full key is in the element's title. */
export function shortKey(key: string): string {
  return key.length <= 14 ? key : `${key.slice(0, 8)}…${key.slice(-4)}`;
}

/** A duration as a person reads it: `0.4 s`, `12 s`, `3 min 5 s`, `2 h 4 min`. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Packets per second: `0`, `0.35`, `4.2`, `120`, `12.3k`. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return "—";
  if (perSecond === 0) return "0";
  if (perSecond < 1) return perSecond.toFixed(2);
  if (perSecond < 100) return perSecond.toFixed(1);
  if (perSecond < 10_000) return Math.round(perSecond).toString();
  return `${(perSecond / 1000).toFixed(1)}k`;
}

/** A block height with thin separators: `1 234 567`. */
export function formatHeight(height: number | undefined): string {
  if (height === undefined) return "—";
  return height.toLocaleString("en-US").replace(/,/g, "\u202f");
}
