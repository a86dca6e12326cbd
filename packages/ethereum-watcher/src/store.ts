import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { WatcherError } from "./errors.js";
import type { ObservedTransfer } from "./types.js";

/** Identity of what a store watches; a file made for one token, pipe or chain is refused for another. */
export interface StoreIdentity {
  chainId: number;
  tokenAddress: string;
  pipeAccount: string;
}

export interface PendingTransfer extends ObservedTransfer {
  attempts: number;
  nextAttemptAt: number;
}

const SCHEMA_VERSION = "1";

/**
 * The watcher's SQLite file: the scan checkpoint and every transfer it has seen, with whether it has been notified.
 * A scanned range's transfers and the advanced checkpoint are written in one transaction, so after a crash the
 * watcher resumes exactly where the last committed range ended: nothing missed, nothing recorded twice.
 */
export class WatcherStore {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #setMeta: StatementSync;
  readonly #getMeta: StatementSync;
  readonly #due: StatementSync;
  readonly #markNotified: StatementSync;
  readonly #markFailed: StatementSync;
  readonly #markRejected: StatementSync;
  readonly #countPending: StatementSync;
  readonly #dropPendingFrom: StatementSync;

  constructor(path: string, identity: StoreIdentity) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS transfers (
        tx_hash TEXT NOT NULL,
        log_index INTEGER NOT NULL,
        block_number INTEGER NOT NULL,
        block_hash TEXT NOT NULL,
        from_address TEXT NOT NULL,
        amount TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'notified', 'rejected')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        seen_at INTEGER NOT NULL,
        notified_at INTEGER,
        PRIMARY KEY (tx_hash, log_index)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS transfers_pending ON transfers (status, next_attempt_at, block_number, log_index);
    `);
    this.#setMeta = this.#db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    this.#getMeta = this.#db.prepare("SELECT value FROM meta WHERE key = ?");
    this.#insert = this.#db.prepare(
      `INSERT INTO transfers (tx_hash, log_index, block_number, block_hash, from_address, amount, status, seen_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (tx_hash, log_index) DO NOTHING`,
    );
    this.#due = this.#db.prepare(
      `SELECT * FROM transfers WHERE status = 'pending' AND next_attempt_at <= ?
       ORDER BY block_number, log_index LIMIT ?`,
    );
    this.#markNotified = this.#db.prepare(
      "UPDATE transfers SET status = 'notified', notified_at = ?, attempts = attempts + 1 WHERE tx_hash = ? AND log_index = ? AND status = 'pending'",
    );
    this.#markFailed = this.#db.prepare(
      "UPDATE transfers SET attempts = attempts + 1, next_attempt_at = ? WHERE tx_hash = ? AND log_index = ? AND status = 'pending'",
    );
    this.#markRejected = this.#db.prepare(
      "UPDATE transfers SET status = 'rejected', attempts = attempts + 1 WHERE tx_hash = ? AND log_index = ? AND status = 'pending'",
    );
    this.#countPending = this.#db.prepare("SELECT COUNT(*) AS n FROM transfers WHERE status = 'pending'");
    this.#dropPendingFrom = this.#db.prepare("DELETE FROM transfers WHERE status = 'pending' AND block_number >= ?");
    this.#checkIdentity(identity);
  }

  #checkIdentity(identity: StoreIdentity): void {
    const wanted: Record<string, string> = {
      schema: SCHEMA_VERSION,
      chainId: String(identity.chainId),
      token: identity.tokenAddress.toLowerCase(),
      pipe: identity.pipeAccount.toLowerCase(),
    };
    const existing = Object.keys(wanted).map((key) => [key, this.#meta(key)] as const);
    if (existing.every(([, value]) => value === undefined)) {
      this.#transaction(() => {
        for (const [key, value] of Object.entries(wanted)) this.#setMeta.run(key, value);
      });
      return;
    }
    const differing = existing.filter(([key, value]) => value !== wanted[key]).map(([key]) => key);
    if (differing.length > 0) {
      throw new WatcherError(
        "WATCHER_ERROR_STORE_MISMATCH",
        `the watcher database was made for another ${differing.join(", ")}; use a new data directory`,
        { differing },
      );
    }
  }

  #meta(key: string): string | undefined {
    const row = this.#getMeta.get(key) as { value: string } | undefined;
    return row?.value;
  }

  #transaction(body: () => void): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      body();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** The next block to scan, or undefined before the first scan. */
  nextBlock(): number | undefined {
    const value = this.#meta("nextBlock");
    return value === undefined ? undefined : Number(value);
  }

  /** Hash of the last scanned block (`nextBlock - 1`), to notice a reorg deeper than the confirmations. */
  lastScannedHash(): string | undefined {
    return this.#meta("lastScannedHash");
  }

  /**
   * Records the transfers of a scanned range and moves the checkpoint past it, atomically. Returns how many
   * transfers were new (a transfer already known, by (txHash, logIndex), is not recorded again).
   */
  commitRange(transfers: readonly ObservedTransfer[], nextBlock: number, lastHash: string, now = Date.now()): number {
    let fresh = 0;
    this.#transaction(() => {
      for (const t of transfers) {
        const result = this.#insert.run(
          t.txHash,
          t.logIndex,
          t.blockNumber,
          t.blockHash,
          t.from,
          t.amount.toString(),
          now,
        );
        fresh += Number(result.changes);
      }
      this.#setMeta.run("nextBlock", String(nextBlock));
      this.#setMeta.run("lastScannedHash", lastHash);
    });
    return fresh;
  }

  /**
   * After a reorg deeper than the confirmations: scan again from `fromBlock`, forgetting transfers from there on
   * that were not yet notified (they are recorded again if they are still in the canonical chain). Transfers
   * already notified cannot be recalled; the caller reports them.
   */
  rewind(fromBlock: number): number {
    let dropped = 0;
    this.#transaction(() => {
      dropped = Number(this.#dropPendingFrom.run(fromBlock).changes);
      this.#setMeta.run("nextBlock", String(fromBlock));
      this.#db.prepare("DELETE FROM meta WHERE key = 'lastScannedHash'").run();
    });
    return dropped;
  }

  notifiedFrom(fromBlock: number): number {
    const row = this.#db
      .prepare("SELECT COUNT(*) AS n FROM transfers WHERE status = 'notified' AND block_number >= ?")
      .get(fromBlock) as { n: number };
    return Number(row.n);
  }

  /** Pending transfers whose next attempt is due, oldest first. */
  due(now: number, limit: number): PendingTransfer[] {
    return (this.#due.all(now, limit) as Record<string, string | number>[]).map((row) => ({
      txHash: row.tx_hash as string,
      logIndex: Number(row.log_index),
      blockNumber: Number(row.block_number),
      blockHash: row.block_hash as string,
      from: row.from_address as string,
      amount: BigInt(row.amount as string),
      attempts: Number(row.attempts),
      nextAttemptAt: Number(row.next_attempt_at),
    }));
  }

  markNotified(transfers: readonly ObservedTransfer[], now = Date.now()): void {
    this.#transaction(() => {
      for (const t of transfers) this.#markNotified.run(now, t.txHash, t.logIndex);
    });
  }

  markFailed(transfers: readonly ObservedTransfer[], nextAttemptAt: number): void {
    this.#transaction(() => {
      for (const t of transfers) this.#markFailed.run(nextAttemptAt, t.txHash, t.logIndex);
    });
  }

  markRejected(transfer: ObservedTransfer): void {
    this.#markRejected.run(transfer.txHash, transfer.logIndex);
  }

  pendingCount(): number {
    return Number((this.#countPending.get() as { n: number }).n);
  }

  /** Every recorded transfer with its status, oldest first (for tests and operators). */
  all(): (ObservedTransfer & { status: string })[] {
    return (
      this.#db.prepare("SELECT * FROM transfers ORDER BY block_number, log_index").all() as Record<
        string,
        string | number
      >[]
    ).map((row) => ({
      txHash: row.tx_hash as string,
      logIndex: Number(row.log_index),
      blockNumber: Number(row.block_number),
      blockHash: row.block_hash as string,
      from: row.from_address as string,
      amount: BigInt(row.amount as string),
      status: row.status as string,
    }));
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
