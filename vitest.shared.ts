import { defineConfig } from "vitest/config";

/**
 * Test order is shuffled with `VITEST_SHUFFLE=1`: files and the tests inside them run in a random order, and vitest
 * prints `Running tests with seed "<seed>"`. Replay an order with `VITEST_SEED=<seed>` (or `--sequence.seed <seed>`).
 * Every test must pass alone and in any order. Not yet on by default in CI: shuffled runs found order dependencies in
 * six suites, fixed, and the e2e suites of client, service-provider, verifier and explorer have not yet been run
 * shuffled enough times to trust a random order on every submission.
 */
const shuffle = process.env.VITEST_SHUFFLE === "1";
const seed = process.env.VITEST_SEED === undefined ? undefined : Number(process.env.VITEST_SEED);

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
    sequence: { shuffle, ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}) },
  },
});
