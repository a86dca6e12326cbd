import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { ContractsError, payIntoNym } from "../../src/index.js";

const base = {
  tokenAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  pipeAccount: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  confirmations: 2,
  nymBalance: async () => 0n,
};

describe("payIntoNym input checks", () => {
  it("refuses a zero or negative amount before sending anything", async () => {
    for (const amount of [0n, -5n]) {
      await expect(payIntoNym({ ...base, signer: Wallet.createRandom(), amount })).rejects.toMatchObject({
        code: "CONTRACTS_ERROR_PAYMENT",
      });
    }
  });

  it("refuses a signer without a provider", async () => {
    await expect(payIntoNym({ ...base, signer: Wallet.createRandom(), amount: 1n })).rejects.toBeInstanceOf(
      ContractsError,
    );
  });
});
