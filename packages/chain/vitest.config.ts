import { mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.js";

export default mergeConfig(sharedConfig, {
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The e2e suites each run a 4-validator network; running them side by side on 2 cores only slows both.
    fileParallelism: false,
  },
});
