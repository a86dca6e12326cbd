import { createJsonRpcProvider, formatNym, nymToken, type PaymentProgress, payIntoNym } from "@nym-ts/contracts";
import { Wallet } from "ethers";
import type { CredentialContext, Report } from "./context.js";
import { ClientCredentialError } from "./errors.js";

export interface PayResult {
  account: string;
  amount: bigint;
  ethTxHash: string;
  logIndex: number;
  blockNumber: number;
  balanceBefore: bigint;
  balanceAfter: bigint;
  /** When the transfer was included on Ethereum, and when the chain credited it (ms since the start). */
  includedMs: number;
  creditedMs: number;
}

function progressLine(p: PaymentProgress): { type: string } & Record<string, unknown> {
  switch (p.stage) {
    case "sending":
      return { type: "pay", stage: p.stage, amount: p.amount.toString(), nym: formatNym(p.amount) };
    case "awaiting-credit":
      return { type: "pay", stage: p.stage, balance: p.balance.toString(), expected: p.expected.toString() };
    case "credited":
      return { type: "pay", stage: p.stage, balance: p.balance.toString(), nym: formatNym(p.balance) };
    default:
      return { type: "pay", ...p };
  }
}

/**
 * `nymclient pay`: transfers `amount` base units of NYM from the account's Ethereum address to the pipe account
 * (read from the chain's genesis), then waits for the watchers' threshold credit on the chain, reporting the
 * transfer, each confirmation, each watcher notification seen on chain, and the credit.
 */
export async function pay(ctx: CredentialContext, amount: bigint, report: Report = () => {}): Promise<PayResult> {
  const eth = ctx.config.ethereum;
  if (!eth) {
    throw new ClientCredentialError("CLIENT_ERROR_CONFIG", "no ethereum section: run nymclient credential init", {});
  }
  if (amount <= 0n) throw new ClientCredentialError("CLIENT_ERROR_USAGE", "--amount must be positive", {});
  const chain = await ctx.chain();
  const appState = await ctx.appState();
  const provider = createJsonRpcProvider(eth.rpcUrl, eth.chainId, Math.min(eth.pollIntervalMs, 200));
  const started = performance.now();
  let includedMs = 0;
  try {
    const signer = new Wallet(`0x${Buffer.from(ctx.secretKey).toString("hex")}`, provider);
    const payment = await payIntoNym({
      signer,
      tokenAddress: eth.tokenAddress,
      pipeAccount: appState.pipeAccount,
      amount,
      confirmations: eth.confirmations,
      nymBalance: async (address) => (await chain.account(address)).balance,
      transferNotifications: async (hash, logIndex) => (await chain.transfer(hash, logIndex))?.voters.length ?? 0,
      notificationThreshold: appState.watchers.threshold,
      pollIntervalMs: eth.pollIntervalMs,
      timeoutMs: eth.creditTimeoutMs,
      onProgress: (p) => {
        if (p.stage === "included") includedMs = performance.now() - started;
        report(progressLine(p));
      },
    });
    return {
      account: payment.account.toLowerCase(),
      amount,
      ethTxHash: payment.txHash,
      logIndex: payment.logIndex,
      blockNumber: payment.blockNumber,
      balanceBefore: payment.balanceBefore,
      balanceAfter: payment.balanceAfter,
      includedMs,
      creditedMs: performance.now() - started,
    };
  } finally {
    provider.destroy();
  }
}

export interface BalanceResult {
  address: string;
  /** The Nym account's balance and next nonce on the chain. */
  balance: bigint;
  nonce: number;
  /** The address's NYM on Ethereum, when the ethereum section is set and the endpoint answers. */
  ethereumBalance: bigint | undefined;
}

/** `nymclient balance`: the account's balance on the Nym chain (and its NYM on Ethereum when configured). */
export async function balance(ctx: CredentialContext): Promise<BalanceResult> {
  const chain = await ctx.chain();
  const account = await chain.account(ctx.address);
  let ethereumBalance: bigint | undefined;
  const eth = ctx.config.ethereum;
  if (eth) {
    const provider = createJsonRpcProvider(eth.rpcUrl, eth.chainId);
    try {
      ethereumBalance = (await nymToken(eth.tokenAddress, provider).getFunction("balanceOf")(ctx.address)) as bigint;
    } catch (error) {
      ctx.log.debug({ err: error }, "cannot read the Ethereum NYM balance");
    } finally {
      provider.destroy();
    }
  }
  return { address: ctx.address, balance: account.balance, nonce: account.nonce, ethereumBalance };
}
