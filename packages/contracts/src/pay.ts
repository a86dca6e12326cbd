import { type Signer, zeroPadValue } from "ethers";
import { checkAddress, nymToken, TRANSFER_TOPIC } from "./deploy.js";
import { ContractsError } from "./errors.js";

/** What `payIntoNym` reports while it works, in order (`notified` and `confirming` interleave as they happen). */
export type PaymentProgress =
  | { stage: "sending"; amount: bigint }
  | { stage: "sent"; txHash: string }
  | { stage: "included"; txHash: string; blockNumber: number; logIndex: number }
  | { stage: "confirming"; confirmations: number; needed: number }
  | { stage: "notified"; notifications: number; threshold: number | undefined }
  | { stage: "awaiting-credit"; balance: bigint; expected: bigint }
  | { stage: "credited"; balance: bigint };

export interface PayIntoNymOptions {
  /** The payer's Ethereum key, connected to a provider; its address is the Nym account credited. */
  signer: Signer;
  tokenAddress: string;
  pipeAccount: string;
  /** Base units (uNYM), positive. */
  amount: bigint;
  /** The watchers' confirmations, only to report progress while they wait for them. */
  confirmations: number;
  /** Reads the Nym account's balance on the chain. */
  nymBalance: (address: string) => Promise<bigint>;
  /**
   * Optional: how many watchers have notified the chain of this transfer so far (the chain's transfer record), only
   * to report progress; `notificationThreshold` is how many credit it.
   */
  transferNotifications?: (ethTxHash: string, logIndex: number) => Promise<number>;
  notificationThreshold?: number;
  onProgress?: (progress: PaymentProgress) => void;
  pollIntervalMs?: number;
  /** Longest wait for the credit after the transfer is included (default 5 min). */
  timeoutMs?: number;
}

export interface Payment {
  account: string;
  txHash: string;
  logIndex: number;
  blockNumber: number;
  balanceBefore: bigint;
  balanceAfter: bigint;
}

/**
 * The client side of paying in: sends `amount` NYM to the pipe account, waits for inclusion, then for the watchers'
 * confirmations, their notifications and the chain's credit, reporting each step through `onProgress`. Credit is
 * detected as the Nym balance reaching `before + amount`, so spending from the same account while waiting delays
 * the answer. Errors: CONTRACTS_ERROR_PAYMENT (bad input, reverted transfer), CONTRACTS_ERROR_TIMEOUT (no credit).
 */
export async function payIntoNym(options: PayIntoNymOptions): Promise<Payment> {
  if (options.amount <= 0n) throw new ContractsError("CONTRACTS_ERROR_PAYMENT", "amount must be positive", {});
  const provider = options.signer.provider;
  if (!provider) throw new ContractsError("CONTRACTS_ERROR_PAYMENT", "signer has no provider", {});
  const pipe = checkAddress(options.pipeAccount, "pipe account");
  const account = await options.signer.getAddress();
  const interval = options.pollIntervalMs ?? 250;
  const report = options.onProgress ?? (() => {});

  const balanceBefore = await options.nymBalance(account);
  report({ stage: "sending", amount: options.amount });
  const token = nymToken(options.tokenAddress, options.signer);
  const tx = await token.getFunction("transfer")(pipe, options.amount);
  report({ stage: "sent", txHash: tx.hash });
  const receipt = await tx.wait();
  if (receipt?.status !== 1) {
    throw new ContractsError("CONTRACTS_ERROR_PAYMENT", "the transfer reverted", { txHash: tx.hash });
  }
  const pipeTopic = zeroPadValue(pipe, 32).toLowerCase();
  const log = (receipt.logs as { topics: readonly string[]; index: number }[]).find(
    (l) => l.topics[0] === TRANSFER_TOPIC && l.topics[2]?.toLowerCase() === pipeTopic,
  );
  if (!log) throw new ContractsError("CONTRACTS_ERROR_PAYMENT", "no Transfer log in the receipt", { txHash: tx.hash });
  report({ stage: "included", txHash: receipt.hash, blockNumber: receipt.blockNumber, logIndex: log.index });

  const expected = balanceBefore + options.amount;
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let lastConfirmations = -1;
  let lastNotifications = 0;
  let awaiting = false;
  for (;;) {
    const head = await provider.getBlockNumber();
    const confirmations = Math.min(options.confirmations, Math.max(0, head - receipt.blockNumber));
    if (confirmations !== lastConfirmations) {
      lastConfirmations = confirmations;
      report({ stage: "confirming", confirmations, needed: options.confirmations });
    }
    // The balance is read before the notifications: a credit seen here was made by notifications the next read
    // sees too, so `notified` is never skipped when the watchers notify and credit between two reads.
    const balance = await options.nymBalance(account);
    if (options.transferNotifications) {
      // Progress only: a failed read must not fail the payment.
      const notifications = await options.transferNotifications(receipt.hash, log.index).catch(() => lastNotifications);
      if (notifications > lastNotifications) {
        lastNotifications = notifications;
        report({ stage: "notified", notifications, threshold: options.notificationThreshold });
      }
    }
    if (balance >= expected) {
      report({ stage: "credited", balance });
      return {
        account,
        txHash: receipt.hash,
        logIndex: log.index,
        blockNumber: receipt.blockNumber,
        balanceBefore,
        balanceAfter: balance,
      };
    }
    if (confirmations >= options.confirmations && !awaiting) {
      awaiting = true;
      report({ stage: "awaiting-credit", balance, expected });
    }
    if (Date.now() > deadline) {
      throw new ContractsError("CONTRACTS_ERROR_TIMEOUT", "the Nym account was not credited in time", {
        txHash: receipt.hash,
        balance: balance.toString(),
        expected: expected.toString(),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
