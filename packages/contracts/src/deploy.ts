import {
  Contract,
  ContractFactory,
  type ContractRunner,
  formatUnits,
  getAddress,
  isAddress,
  JsonRpcProvider,
  Network,
  parseUnits,
  type Signer,
} from "ethers";
import { ContractsError } from "./errors.js";
import { nymTokenArtifact } from "./generated/nym-token-artifact.js";

export const NYM_DECIMALS = 6;
export const NYM_TOKEN_ABI = nymTokenArtifact.abi;
export const NYM_TOKEN_BYTECODE = nymTokenArtifact.bytecode;
/** keccak256("Transfer(address,address,uint256)"), topic 0 of every ERC20 Transfer log. */
export const TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

/** Parses a decimal NYM amount ("1.5") into base units (uNYM); rejects more than 6 decimals or negatives. */
export function parseNym(amount: string): bigint {
  let units: bigint;
  try {
    units = parseUnits(amount, NYM_DECIMALS);
  } catch (cause) {
    throw new ContractsError("CONTRACTS_ERROR_AMOUNT", `not a NYM amount: ${JSON.stringify(amount)}`, {}, { cause });
  }
  if (units < 0n) throw new ContractsError("CONTRACTS_ERROR_AMOUNT", "NYM amount is negative", { amount });
  return units;
}

export function formatNym(units: bigint): string {
  return formatUnits(units, NYM_DECIMALS);
}

/** Checks and checksums an Ethereum address, with a typed error naming `what` when it is malformed. */
export function checkAddress(address: string, what = "address"): string {
  if (typeof address !== "string" || !isAddress(address) || !address.startsWith("0x")) {
    throw new ContractsError("CONTRACTS_ERROR_ADDRESS", `${what} is not an Ethereum address`, { what });
  }
  return getAddress(address);
}

/**
 * A provider for a local or remote JSON-RPC endpoint with settings that suit pollers: a fixed network (no
 * detection retries while a node boots), no response cache (a stale `eth_blockNumber` after a reorg or mine would
 * mislead confirmations), and a short polling interval for `tx.wait()`.
 */
export function createJsonRpcProvider(url: string, chainId: number, pollingIntervalMs = 200): JsonRpcProvider {
  return new JsonRpcProvider(url, Network.from(chainId), {
    staticNetwork: true,
    cacheTimeout: -1,
    pollingInterval: pollingIntervalMs,
  });
}

export interface DeployedToken {
  address: string;
  /** The block that holds the deployment; watchers start scanning there. */
  blockNumber: number;
  txHash: string;
}

/**
 * Deploys NYM with `initialSupply` base units minted to the deployer, waits for the receipt, and checks that the
 * code at the new address is the committed runtime bytecode.
 */
export async function deployNymToken(deployer: Signer, initialSupply: bigint): Promise<DeployedToken> {
  if (initialSupply <= 0n) {
    throw new ContractsError("CONTRACTS_ERROR_AMOUNT", "initial supply must be positive", {});
  }
  try {
    const factory = new ContractFactory(NYM_TOKEN_ABI, NYM_TOKEN_BYTECODE, deployer);
    const contract = await factory.deploy(initialSupply);
    const tx = contract.deploymentTransaction();
    const receipt = await tx?.wait();
    if (receipt?.status !== 1 || !receipt.contractAddress) {
      throw new Error("deployment transaction failed");
    }
    const code = await deployer.provider?.getCode(receipt.contractAddress);
    if (code !== nymTokenArtifact.deployedBytecode) throw new Error("deployed code differs from the artifact");
    return { address: getAddress(receipt.contractAddress), blockNumber: receipt.blockNumber, txHash: receipt.hash };
  } catch (cause) {
    if (cause instanceof ContractsError) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new ContractsError("CONTRACTS_ERROR_DEPLOY", `cannot deploy NYM: ${message}`, {}, { cause });
  }
}

/** A handle on a deployed NYM token (`transfer`, `balanceOf`, ...). */
export function nymToken(address: string, runner: ContractRunner): Contract {
  return new Contract(checkAddress(address, "token address"), NYM_TOKEN_ABI, runner);
}
