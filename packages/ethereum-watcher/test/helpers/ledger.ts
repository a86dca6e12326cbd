import { WatcherError } from "../../src/errors.js";
import type { ObservedTransfer, TransferNotifier } from "../../src/types.js";

/**
 * A small in-memory stand-in for the chain's transfer_notification rule, for unit tests only: each watcher votes
 * once per (txHash, logIndex); at `threshold` distinct votes for the same payer and amount the payer is credited.
 */
export class TestLedger {
  readonly balances = new Map<string, bigint>();
  readonly votes = new Map<string, Set<string>>();
  readonly credited = new Map<string, number>();
  /** Votes a watcher sent for a transfer it had already voted on. */
  duplicateVotes = 0;
  failures = 0;
  #failNext = new Map<string, number>();

  constructor(readonly threshold: number) {}

  failNext(watcher: string, times: number): void {
    this.#failNext.set(watcher, times);
  }

  balance(address: string): bigint {
    return this.balances.get(address.toLowerCase()) ?? 0n;
  }

  notifier(watcher: string): TransferNotifier {
    return {
      notify: async (transfers: readonly ObservedTransfer[]) => {
        const failing = this.#failNext.get(watcher) ?? 0;
        if (failing > 0) {
          this.#failNext.set(watcher, failing - 1);
          this.failures++;
          throw new Error("chain unavailable");
        }
        for (const t of transfers) {
          if (t.amount <= 0n) throw new WatcherError("WATCHER_ERROR_NOTIFICATION_REJECTED", "bad amount", {});
          const key = `${t.txHash}:${t.logIndex}:${t.from.toLowerCase()}:${t.amount}`;
          const voters = this.votes.get(key) ?? new Set<string>();
          if (voters.has(watcher)) {
            this.duplicateVotes++;
            continue;
          }
          voters.add(watcher);
          this.votes.set(key, voters);
          if (voters.size === this.threshold) {
            const account = t.from.toLowerCase();
            this.balances.set(account, this.balance(account) + t.amount);
            this.credited.set(key, (this.credited.get(key) ?? 0) + 1);
          }
        }
      },
    };
  }
}
