import { describe, expect, it } from "vitest";
import { ClientConfig } from "../../src/config.js";

describe("client config: sphinx.version", () => {
  const minimal = { directoryUrl: "http://127.0.0.1:8080", gateway: "ab".repeat(32) };

  it("is 259 by default, 258 and 260 accepted, anything else refused", () => {
    expect(ClientConfig.parse(minimal).sphinx.version).toBe(259);
    for (const version of [258, 259, 260] as const) {
      expect(ClientConfig.parse({ ...minimal, sphinx: { version } }).sphinx.version).toBe(version);
    }
    for (const version of [1, 257, 261, "259"]) {
      expect(ClientConfig.safeParse({ ...minimal, sphinx: { version } }).success).toBe(false);
    }
  });
});
