import { ANVIL_DEFAULT_MNEMONIC, anvilDevKeys } from "@nym-ts/testkit";
import { id, Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { ContractsError, checkAddress, formatNym, parseNym, TRANSFER_TOPIC } from "../../src/index.js";

describe("amounts and addresses", () => {
  it("parses NYM with six decimals and formats it back", () => {
    expect(parseNym("1")).toBe(1_000_000n);
    expect(parseNym("0.000001")).toBe(1n);
    expect(parseNym("12.5")).toBe(12_500_000n);
    expect(formatNym(12_500_000n)).toBe("12.5");
  });

  it("rejects malformed, negative and over-precise amounts with a typed error", () => {
    for (const bad of ["", "abc", "-1", "0.0000001", "1e3"]) {
      expect(() => parseNym(bad), bad).toThrow(ContractsError);
    }
  });

  it("checksums good addresses and rejects bad ones", () => {
    const lower = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    expect(checkAddress(lower)).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    for (const bad of [
      "",
      "0x1234",
      "f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
      "0xzz9fd6e51aad88f6f4ce6ab8827279cfffb92266",
    ]) {
      expect(() => checkAddress(bad), bad).toThrow(ContractsError);
    }
  });

  it("TRANSFER_TOPIC is keccak256 of the Transfer signature", () => {
    expect(TRANSFER_TOPIC).toBe(id("Transfer(address,address,uint256)"));
  });

  it("derives anvil's well-known account 0 from its default mnemonic", () => {
    expect(ANVIL_DEFAULT_MNEMONIC.split(" ")).toHaveLength(12);
    const key = anvilDevKeys(2)[0]!;
    expect(new Wallet(key).address).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  });
});
