import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import { createJsonRpcProvider, deployNymToken, nymToken, parseNym } from "@nym-ts/contracts";
import { type Anvil, startAnvil } from "@nym-ts/testkit";
import { type JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { createEthereumWatcher, type EthereumWatcher, type TransferNotifier } from "../../src/index.js";

/** Real anvil (automine; tests mine blocks themselves), the NYM token, a pipe account and funded payers. */
export interface AnvilEnv {
  anvil: Anvil;
  provider: JsonRpcProvider;
  token: string;
  deployBlock: number;
  pipe: string;
  payers: NonceManager[];
  dir: string;
  /** Transfers `amount` base units from payer `i` to `to` (the pipe by default); resolves with the receipt. */
  pay(i: number, amount: bigint, to?: string): Promise<{ hash: string; blockNumber: number }>;
  mine(blocks: number): Promise<void>;
  head(): Promise<number>;
  /** A watcher over this env; `startBlock` (default the deploy block) is where a new database starts scanning. */
  watcher(name: string, notifier: TransferNotifier, confirmations: number, startBlock?: number): EthereumWatcher;
  close(): Promise<void>;
}

export async function startAnvilEnv(payerCount = 3): Promise<AnvilEnv> {
  const anvil = await startAnvil();
  const provider = createJsonRpcProvider(anvil.url, anvil.chainId, 20);
  const deployer = new NonceManager(new Wallet(anvil.devKeys[0]!, provider));
  const deployed = await deployNymToken(deployer, parseNym("1000000000"));
  const pipe = new Wallet(anvil.devKeys[9]!).address;
  const payers = Array.from(
    { length: payerCount },
    (_, i) => new NonceManager(new Wallet(anvil.devKeys[i + 1]!, provider)),
  );
  const tokenAsDeployer = nymToken(deployed.address, deployer);
  for (const payer of payers) {
    await (await tokenAsDeployer.getFunction("transfer")(await payer.getAddress(), parseNym("1000000"))).wait();
  }
  const dir = mkdtempSync(join(tmpdir(), "eth-watcher-e2e-"));
  const log = createLogger({ name: "test", level: "error" });

  return {
    anvil,
    provider,
    token: deployed.address,
    deployBlock: deployed.blockNumber,
    pipe,
    payers,
    dir,
    async pay(i, amount, to = pipe) {
      const token = nymToken(deployed.address, payers[i]!);
      const receipt = await (await token.getFunction("transfer")(to, amount)).wait();
      return { hash: receipt.hash as string, blockNumber: receipt.blockNumber as number };
    },
    async mine(blocks) {
      await provider.send("anvil_mine", [`0x${blocks.toString(16)}`]);
    },
    head: async () => Number(await provider.send("eth_blockNumber", [])),
    watcher(name, notifier, confirmations, startBlock = deployed.blockNumber) {
      return createEthereumWatcher(
        {
          ethereum: {
            rpcUrl: anvil.url,
            chainId: anvil.chainId,
            tokenAddress: deployed.address,
            pipeAccount: pipe,
            confirmations,
            startBlock,
            pollIntervalMs: 50,
          },
          dataDir: join(dir, name),
          notify: { retryInitialMs: 50, retryMaxMs: 500 },
          http: { port: 0 },
        },
        { log: log.child({ watcher: name }), notifier },
      );
    },
    async close() {
      provider.destroy();
      await anvil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 25 ms until it is true or `timeoutMs` passes; returns whether it became true. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}
