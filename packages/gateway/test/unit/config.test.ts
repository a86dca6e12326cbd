import { describe, expect, it } from "vitest";
import { GatewayConfig } from "../../src/config.js";

describe("gateway config", () => {
  const minimal = { gateway: {}, directory: { url: "http://127.0.0.1:8080" }, storage: { dataDir: "/x" } };

  it("sphinx.version: 259 by default, 258 and 260 accepted, anything else refused", () => {
    expect(GatewayConfig.parse(minimal).sphinx.version).toBe(259);
    for (const version of [258, 259, 260] as const) {
      expect(GatewayConfig.parse({ ...minimal, sphinx: { version } }).sphinx.version).toBe(version);
    }
    for (const version of [1, 257, 261, "259"]) {
      expect(GatewayConfig.safeParse({ ...minimal, sphinx: { version } }).success).toBe(false);
    }
  });
});
