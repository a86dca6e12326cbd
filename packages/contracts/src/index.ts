/**
 * @nym-ts/contracts: the NYM ERC20 token on Ethereum and its deploy helpers (anvil itself is launched by
 * @nym-ts/testkit's `startAnvil`).
 *
 * - `contracts/NymToken.sol`: a plain EIP-20 token ("Nym", "NYM", 6 decimals), written for this project and compiled
 *   offline by solc-js (`pnpm build:contracts`); the artifact (ABI, bytecode) is committed in `src/generated/` and a
 *   test checks that recompiling the source gives the same bytecode.
 * - `deployNymToken(signer, supply)`: deploys it to any JSON-RPC endpoint (ethers v6).
 * - `payIntoNym`: the client side of paying in (transfer to the pipe account, then wait for the chain's credit).
 *
 * Spec: EIP-20 (https://eips.ethereum.org/EIPS/eip-20).
 *
 * @example
 * const anvil = await startAnvil({ blockTime: 1 });
 * const provider = createJsonRpcProvider(anvil.url, anvil.chainId);
 * const deployer = new Wallet(anvil.devKeys[0]!, provider);
 * const token = await deployNymToken(deployer, parseNym("1000000"));
 * await nymToken(token.address, deployer).transfer(pipeAccount, parseNym("1"));
 * provider.destroy();
 * await anvil.stop();
 */

export {
  checkAddress,
  createJsonRpcProvider,
  type DeployedToken,
  deployNymToken,
  formatNym,
  NYM_DECIMALS,
  NYM_TOKEN_ABI,
  NYM_TOKEN_BYTECODE,
  nymToken,
  parseNym,
  TRANSFER_TOPIC,
} from "./deploy.js";
export { ContractsError, type ContractsErrorCode } from "./errors.js";
export { nymTokenArtifact } from "./generated/nym-token-artifact.js";
export { type PayIntoNymOptions, type Payment, type PaymentProgress, payIntoNym } from "./pay.js";
