// `pnpm test`'s last step: prints the failures each package's run wrote to build/test-failures (vitest.shared.ts's
// FailuresReporter), so the end of the output names every failed test and its seed. `--clear` empties the folder
// before a run. Exits 0: the status of the run is pnpm's.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const dir = join(import.meta.dirname, "..", "build", "test-failures");
if (process.argv.includes("--clear")) {
  rmSync(dir, { recursive: true, force: true });
} else {
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  if (files.length === 0) {
    console.log("[test] no failed test");
  } else {
    console.log(`[test] failed tests in ${files.length} package(s):`);
    for (const file of files) process.stdout.write(readFileSync(join(dir, file), "utf8"));
  }
}
