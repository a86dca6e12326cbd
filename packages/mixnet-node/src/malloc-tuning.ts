/**
 * glibc's allocator tuned for a daemon that moves many 32-64 KiB buffers (socket reads, Noise plaintexts, Sphinx
 * packets of the larger size classes). Measured (issue 15 #4, packages/mixnode/test/e2e/garbage-burst.test.ts): after
 * a burst of 20,000 frames of 33 KiB, a forced full GC shrank the V8 heap from 102 to 39 MiB and left 8 MiB of
 * external memory, yet the resident set stayed at 260 MiB: the freed buffers were held by glibc's arenas (a 64 KiB
 * block sits below the default mmap threshold of 128 KiB, which glibc also raises on its own as large blocks are
 * freed, so such blocks live in arenas that fragment and are seldom trimmed). With
 * `MALLOC_MMAP_THRESHOLD_=32768` (fixed, so glibc stops raising it) every block of 32 KiB or more is its own mapping,
 * returned to the system when freed: the same burst settled at 182 MiB. `MALLOC_ARENA_MAX=2` caps the per-thread
 * arenas (V8's GC helpers and libuv's pool each get one otherwise).
 *
 * glibc reads these variables once, when the process starts, so a daemon that finds them unset replaces itself
 * (`process.execve`, same pid, same arguments) with a copy that has them; call this first in a bin, before anything
 * else is loaded. `NYM_MALLOC_TUNING=off` (or either variable already set) leaves the process as it is, as do
 * non-Linux systems and C libraries other than glibc.
 */
export const MALLOC_TUNING: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: "32768",
  MALLOC_ARENA_MAX: "2",
};

export function reexecWithMallocTuning(): void {
  const env = process.env;
  if (env.NYM_MALLOC_TUNING === "off" || process.platform !== "linux") return;
  if (Object.keys(MALLOC_TUNING).some((name) => env[name] !== undefined)) return;
  if (typeof process.execve !== "function" || !isGlibc()) return;
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    ...env,
    ...MALLOC_TUNING,
  });
}

function isGlibc(): boolean {
  try {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    return typeof header?.glibcVersionRuntime === "string";
  } catch {
    return false;
  }
}
