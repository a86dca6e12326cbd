import { defineConfig } from "vitest/config";

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
  },
});
