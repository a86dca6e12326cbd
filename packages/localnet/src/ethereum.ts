import { createJsonRpcProvider, deployNymToken, nymToken, parseNym } from "@nym-ts/contracts";
import { getAddress, NonceManager, parseEther, Wallet } from "ethers";
import { LocalnetError } from "./errors.js";
import type { Manifest } from "./manifest.js";

/** NYM minted to the deployer (base units of 6 decimals: one billion NYM). */
const INITIAL_SUPPLY = "1000000000";

export interface FundResult {
  /** The token was deployed now (false: it was there already, from an earlier `up`). */
  deployed: boolean;
  /** The client was given NYM and ETH now (false: it had some). */
  funded: boolean;
  tokenAddress: string;
}

/**
 * Makes the Ethereum side match the build: NYM deployed by anvil's first dev account as its first transaction (so at
 * the address every config names), and the local client given NYM and ETH for gas. Idempotent: an anvil restarted
 * from its saved state has both already. The compose file's `token-deploy` job runs this too (`nym-localnet fund`).
 */
export async function fundLocalnet(manifest: Manifest, rpcUrl: string, deployerKey: string): Promise<FundResult> {
  const { ethereum, client } = manifest;
  const provider = createJsonRpcProvider(rpcUrl, ethereum.chainId, 100);
  try {
    const wallet = new Wallet(deployerKey, provider);
    if (getAddress(wallet.address) !== getAddress(ethereum.deployer)) {
      throw new LocalnetError("LOCALNET_ERROR_ETHEREUM", "the deployer key is not the manifest's deployer", {});
    }
    const deployer = new NonceManager(wallet);
    let deployed = false;
    if ((await provider.getCode(ethereum.tokenAddress)) === "0x") {
      const nonce = await provider.getTransactionCount(wallet.address);
      if (nonce !== 0) {
        throw new LocalnetError(
          "LOCALNET_ERROR_ETHEREUM",
          `anvil at ${rpcUrl} has no NYM at ${ethereum.tokenAddress} but its deployer has sent ${nonce} transactions: ` +
            "it is not this localnet's anvil (stop it, or rebuild)",
          { rpcUrl },
        );
      }
      const token = await deployNymToken(deployer, parseNym(INITIAL_SUPPLY));
      if (getAddress(token.address) !== getAddress(ethereum.tokenAddress)) {
        throw new LocalnetError("LOCALNET_ERROR_ETHEREUM", `NYM was deployed at ${token.address}`, {});
      }
      deployed = true;
    }
    const token = nymToken(ethereum.tokenAddress, deployer);
    let funded = false;
    const nymBalance = (await token.getFunction("balanceOf")(client.address)) as bigint;
    if (nymBalance === 0n) {
      const tx = await token.getFunction("transfer")(client.address, parseNym(ethereum.clientFunding.nym));
      await tx.wait();
      funded = true;
    }
    if ((await provider.getBalance(client.address)) === 0n) {
      const tx = await deployer.sendTransaction({ to: client.address, value: parseEther(ethereum.clientFunding.eth) });
      await tx.wait();
      funded = true;
    }
    return { deployed, funded, tokenAddress: ethereum.tokenAddress };
  } catch (error) {
    if (error instanceof LocalnetError) throw error;
    throw new LocalnetError(
      "LOCALNET_ERROR_ETHEREUM",
      `cannot deploy NYM or fund the client at ${rpcUrl}: ${error instanceof Error ? error.message : String(error)}`,
      { rpcUrl },
      { cause: error },
    );
  } finally {
    provider.destroy();
  }
}
