import { describe, expect, it } from "vitest";
import { compileContract } from "../../scripts/compile.js";
import { nymTokenArtifact } from "../../src/index.js";

describe("NymToken artifact", () => {
  it("recompiling contracts/NymToken.sol offline gives the committed ABI and bytecode", () => {
    const fresh = compileContract("NymToken.sol", "NymToken");
    expect(fresh.compiler.version).toBe(nymTokenArtifact.compiler.version);
    expect(fresh.bytecode).toBe(nymTokenArtifact.bytecode);
    expect(fresh.deployedBytecode).toBe(nymTokenArtifact.deployedBytecode);
    expect(fresh.abi).toEqual(nymTokenArtifact.abi);
  });

  it("exposes the EIP-20 interface", () => {
    const names = nymTokenArtifact.abi.map((entry) => ("name" in entry ? entry.name : entry.type));
    for (const name of [
      "name",
      "symbol",
      "decimals",
      "totalSupply",
      "balanceOf",
      "transfer",
      "approve",
      "allowance",
      "transferFrom",
      "Transfer",
      "Approval",
    ]) {
      expect(names).toContain(name);
    }
  });
});
