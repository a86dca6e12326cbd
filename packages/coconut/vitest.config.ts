import { mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.js";

// Pairings on the pure-JS reference backend take tens of milliseconds: allow slow property tests.
export default mergeConfig(sharedConfig, { test: { testTimeout: 60_000 } });
