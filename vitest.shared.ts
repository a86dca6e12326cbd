import { defineConfig } from "vitest/config";

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
  },
});
