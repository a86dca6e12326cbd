import { type Anvil, startAnvil } from "@nym-ts/testkit";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ContractsError,
  createJsonRpcProvider,
  deployNymToken,
  nymToken,
  type PaymentProgress,
  parseNym,
  payIntoNym,
  TRANSFER_TOPIC,
} from "../../src/index.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("NYM on a real anvil", () => {
  let anvil: Anvil;
  let provider: ReturnType<typeof createJsonRpcProvider>;

  beforeAll(async () => {
    anvil = await startAnvil();
    provider = createJsonRpcProvider(anvil.url, anvil.chainId, 50);
  });

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it("deploys, moves tokens and emits Transfer logs", async () => {
    const deployer = new Wallet(anvil.devKeys[0]!, provider);
    const alice = new Wallet(anvil.devKeys[1]!, provider);
    const supply = parseNym("1000000");
    const deployed = await deployNymToken(deployer, supply);
    expect(deployed.blockNumber).toBeGreaterThan(0);

    const token = nymToken(deployed.address, deployer);
    expect(await token.getFunction("symbol")()).toBe("NYM");
    expect(await token.getFunction("decimals")()).toBe(6n);
    expect(await token.getFunction("balanceOf")(deployer.address)).toBe(supply);

    const tx = await token.getFunction("transfer")(alice.address, parseNym("2.5"));
    const receipt = await tx.wait();
    expect(await token.getFunction("balanceOf")(alice.address)).toBe(2_500_000n);
    expect(await token.getFunction("balanceOf")(deployer.address)).toBe(supply - 2_500_000n);

    const log = receipt.logs.find((l: { topics: string[] }) => l.topics[0] === TRANSFER_TOPIC);
    expect(log).toBeDefined();
    expect(BigInt(log.data)).toBe(2_500_000n);
    expect(`0x${log.topics[2].slice(26)}`.toLowerCase()).toBe(alice.address.toLowerCase());
  });

  it("reverts a transfer larger than the balance", async () => {
    const deployer = new Wallet(anvil.devKeys[0]!, provider);
    const poor = new Wallet(anvil.devKeys[2]!, provider);
    const deployed = await deployNymToken(deployer, 1000n);
    const token = nymToken(deployed.address, poor);
    await expect(token.getFunction("transfer")(deployer.address, 1n)).rejects.toThrow();
  });

  it("payIntoNym reports the notifications when the watchers notify and credit between two of its reads", async () => {
    const deployer = new Wallet(anvil.devKeys[0]!, provider);
    const payer = new Wallet(anvil.devKeys[3]!, provider);
    const deployed = await deployNymToken(deployer, 1000n);
    await (await nymToken(deployed.address, deployer).getFunction("transfer")(payer.address, 100n)).wait();
    // A chain where both watchers' notifications and the credit land right after the first notification read.
    let landed = false;
    const stages: PaymentProgress["stage"][] = [];
    const payment = await payIntoNym({
      signer: payer,
      tokenAddress: deployed.address,
      pipeAccount: Wallet.createRandom().address,
      amount: 10n,
      confirmations: 0,
      nymBalance: async () => (landed ? 10n : 0n),
      transferNotifications: async () => {
        const seen = landed ? 2 : 0;
        landed = true;
        return seen;
      },
      notificationThreshold: 2,
      pollIntervalMs: 10,
      onProgress: (p) => stages.push(p.stage),
    });
    expect(payment.balanceAfter).toBe(10n);
    expect(stages.slice(-2)).toEqual(["notified", "credited"]);
  });

  it("rejects a zero supply before sending anything", async () => {
    const deployer = new Wallet(anvil.devKeys[0]!, provider);
    await expect(deployNymToken(deployer, 0n)).rejects.toBeInstanceOf(ContractsError);
  });
});

describe("startAnvil", () => {
  it("mines on its own at the chosen block time and exits on stop", async () => {
    const anvil = await startAnvil({ blockTime: 0.2 });
    const provider = createJsonRpcProvider(anvil.url, anvil.chainId, 50);
    try {
      const first = await provider.getBlockNumber();
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await provider.getBlockNumber()).toBeGreaterThan(first + 1);
    } finally {
      provider.destroy();
      await anvil.stop();
    }
    expect(alive(anvil.pid)).toBe(false);
    await anvil.stop(); // a second stop is harmless
  });

  it("fails with a typed error when the binary cannot run", async () => {
    await expect(startAnvil({ binary: "/nonexistent/anvil" })).rejects.toMatchObject({
      code: "CONTRACTS_ERROR_ANVIL_START",
    });
  });
});
