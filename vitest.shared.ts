import { appendFileSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import type { Reporter, TestModule, Vitest } from "vitest/node";

/**
 * Test order is shuffled by default (in CI's `make test` and locally): files and the tests inside them run in a random
 * order, and vitest prints `Running tests with seed "<seed>"` at the start of each package's run. Replay that order
 * with `VITEST_SEED=<seed> pnpm exec vitest run` in the package (or `--sequence.seed <seed>`); `VITEST_SHUFFLE=0`
 * runs in file order. Every test must pass alone and in any order (docs/development.md, "Test order").
 */
function shuffleFromEnv(value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "1") return true;
  if (value === "0") return false;
  throw new Error(`VITEST_SHUFFLE must be 0 or 1, not ${JSON.stringify(value)}`);
}

function seedFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`VITEST_SEED must be an integer, not ${JSON.stringify(value)}`);
  return seed;
}

const shuffle = shuffleFromEnv(process.env.VITEST_SHUFFLE);
const seed = seedFromEnv(process.env.VITEST_SEED);

/** Where each package's failures are written for the summary `pnpm test` prints last (scripts/test-failures.mjs). */
export const FAILURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "build", "test-failures");

/**
 * Writes the failed tests of a package's run (name, file, first lines of the error, the seed to replay) to
 * build/test-failures/<package>.txt, so that the end of `pnpm test`'s output says what failed even when the failing
 * package ran long before the last one (CI keeps only the tail of a run's output).
 */
class FailuresReporter implements Reporter {
  private vitest: Vitest | undefined;
  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<{ message?: string }>): void {
    const lines: string[] = [];
    const first = (text: string | undefined) => (text ?? "").split("\n").slice(0, 6).join("\n      ");
    for (const module of modules) {
      const file = module.relativeModuleId;
      for (const error of module.errors()) lines.push(`  ${file}: ${first(error.message)}`);
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== "failed") continue;
        lines.push(`  ${file} > ${test.fullName}`);
        for (const error of result.errors ?? []) lines.push(`      ${first(error.message)}`);
      }
    }
    for (const error of unhandled) lines.push(`  unhandled error: ${first(error.message)}`);
    if (lines.length === 0) return;
    const root = this.vitest?.config.root ?? process.cwd();
    const seed = this.vitest?.config.sequence.seed;
    mkdirSync(FAILURES_DIR, { recursive: true });
    const header = `${basename(root)} (replay: cd ${root} && VITEST_SEED=${seed} pnpm exec vitest run)`;
    appendFileSync(join(FAILURES_DIR, `${basename(root)}.txt`), `${header}\n${lines.join("\n")}\n`);
  }
}

/**
 * Every package's vitest config. Workspace packages resolve to their TypeScript sources through the
 * `@nym-ts/source` export condition, so tests never need a build of their dependencies.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ["@nym-ts/source", "import", "node", "default"] },
  ssr: { resolve: { conditions: ["@nym-ts/source", "import", "node", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    sequence: { shuffle, ...(seed === undefined ? {} : { seed }) },
    reporters: ["default", new FailuresReporter()],
  },
});
