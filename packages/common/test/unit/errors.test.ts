import { describe, expect, it } from "vitest";
import { ConfigError, isNymError, NymError } from "../../src/index.js";

describe("NymError", () => {
  it("carries its code and details and is recognised by isNymError", () => {
    const error = new NymError("CHAIN_ERROR_NONCE_REUSED", "nonce 3 already used", { nonce: 3 });
    expect(error.code).toBe("CHAIN_ERROR_NONCE_REUSED");
    expect(error.details).toEqual({ nonce: 3 });
    expect(error.name).toBe("NymError");
    expect(isNymError(error)).toBe(true);
    expect(isNymError(error, "OTHER")).toBe(false);
    expect(isNymError(new Error("plain"))).toBe(false);
  });

  it("lists every config issue with its path in the message", () => {
    const error = new ConfigError("invalid configuration", [
      { path: "abci.port", message: "expected number" },
      { path: "", message: "unknown key" },
    ]);
    expect(error.code).toBe("CONFIG_ERROR_INVALID");
    expect(error.message).toContain("abci.port: expected number");
    expect(error.message).toContain("(root): unknown key");
    expect(error).toBeInstanceOf(NymError);
  });
});
