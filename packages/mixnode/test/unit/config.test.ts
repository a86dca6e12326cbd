import { describe, expect, it } from "vitest";
import { MixnodeConfig } from "../../src/config.js";

describe("mixnode config", () => {
  const minimal = { mixnode: { layer: 2 }, directory: { url: "http://127.0.0.1:8080" }, storage: { dataDir: "/x" } };

  it("fills every default from a minimal config", () => {
    const config = MixnodeConfig.parse(minimal);
    expect(config.mixnode.port).toBe(1789);
    expect(config.mixing.maxDelayMs).toBe(10_000);
    expect(config.mixing.payloadSize).toBe(2065);
  });

  it("rejects unknown keys, a missing layer and out-of-range values", () => {
    expect(MixnodeConfig.safeParse({ ...minimal, extra: 1 }).success).toBe(false);
    expect(MixnodeConfig.safeParse({ ...minimal, mixnode: {} }).success).toBe(false);
    expect(MixnodeConfig.safeParse({ ...minimal, mixnode: { layer: 4 } }).success).toBe(false);
    expect(MixnodeConfig.safeParse({ ...minimal, mixing: { loopRate: -1 } }).success).toBe(false);
  });

  it("sphinx.version: 259 by default, 258 and 260 accepted, anything else refused", () => {
    expect(MixnodeConfig.parse(minimal).sphinx.version).toBe(259);
    for (const version of [258, 259, 260] as const) {
      expect(MixnodeConfig.parse({ ...minimal, sphinx: { version } }).sphinx.version).toBe(version);
    }
    for (const version of [1, 257, 261, "259"]) {
      expect(MixnodeConfig.safeParse({ ...minimal, sphinx: { version } }).success).toBe(false);
    }
  });
});
