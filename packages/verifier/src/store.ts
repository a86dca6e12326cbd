import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { InvalidReason } from "./check.js";
import { VerifierError } from "./errors.js";

/** A `deposit_credential` event as the verifier records it. */
export interface DepositEvent {
  zeta: string;
  sp: string;
  value: string;
  /** Hash of the deposit tx (upper-case hex): one deposit of a zeta; a released zeta may be deposited again. */
  depositTx: string;
  height: number;
}

export type DepositStatus = "pending" | "voted" | "skipped";

/** Why a deposit was not voted on. */
export type SkipReason =
  /** Already spent or released when the verifier got to it (the other verifiers reached the threshold). */
  | "decided"
  /** The zeta was released and deposited again: this deposit is no longer the chain's. */
  | "superseded";

export interface DepositRecord extends DepositEvent {
  status: DepositStatus;
  /** The verdict, once computed (kept so a retried vote is not verified again). */
  valid: boolean | undefined;
  reason: InvalidReason | undefined;
  attempts: number;
  nextAttemptAt: number;
  seenAt: number;
  votedAt: number | undefined;
  /** The vote tx's hash; undefined when the vote was found already on chain (a restart after an unrecorded commit). */
  voteTx: string | undefined;
  skipReason: SkipReason | undefined;
}

const SCHEMA_VERSION = "1";

/**
 * The verifier's SQLite file: the height it follows deposit events from, and every deposit it has seen with its
 * verdict and whether its vote is committed. A deposit is marked voted only after the vote tx committed (or the chain
 * showed the vote already there), so a crash at any point leads to the vote being found or sent again, never lost,
 * and the chain's duplicate-vote rule plus the check of the chain's voters keep it from being sent twice.
 */
export class VerifierStore {
  readonly #db: DatabaseSync;
  readonly #setMeta: StatementSync;
  readonly #getMeta: StatementSync;
  readonly #insert: StatementSync;
  readonly #due: StatementSync;
  readonly #nextDue: StatementSync;
  readonly #setVerdict: StatementSync;
  readonly #markVoted: StatementSync;
  readonly #markSkipped: StatementSync;
  readonly #markFailed: StatementSync;
  readonly #byZeta: StatementSync;
  readonly #countByStatus: StatementSync;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS deposits (
        deposit_tx TEXT PRIMARY KEY,
        zeta TEXT NOT NULL,
        height INTEGER NOT NULL,
        sp TEXT NOT NULL,
        value TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'voted', 'skipped')),
        valid INTEGER,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        seen_at INTEGER NOT NULL,
        voted_at INTEGER,
        vote_tx TEXT,
        skip_reason TEXT
      ) STRICT;
      CREATE INDEX IF NOT EXISTS deposits_zeta ON deposits (zeta, height);
      CREATE INDEX IF NOT EXISTS deposits_pending ON deposits (status, next_attempt_at, height);
    `);
    this.#setMeta = this.#db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    this.#getMeta = this.#db.prepare("SELECT value FROM meta WHERE key = ?");
    this.#insert = this.#db.prepare(
      `INSERT INTO deposits (deposit_tx, zeta, height, sp, value, status, seen_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (deposit_tx) DO NOTHING`,
    );
    this.#due = this.#db.prepare(
      `SELECT * FROM deposits WHERE status = 'pending' AND next_attempt_at <= ?
       ORDER BY height, deposit_tx LIMIT ?`,
    );
    this.#nextDue = this.#db.prepare("SELECT MIN(next_attempt_at) AS at FROM deposits WHERE status = 'pending'");
    this.#setVerdict = this.#db.prepare(
      "UPDATE deposits SET valid = ?, reason = ? WHERE deposit_tx = ? AND status = 'pending'",
    );
    this.#markVoted = this.#db.prepare(
      `UPDATE deposits SET status = 'voted', valid = ?, reason = ?, vote_tx = ?, voted_at = ?, attempts = attempts + 1
       WHERE deposit_tx = ? AND status = 'pending'`,
    );
    this.#markSkipped = this.#db.prepare(
      "UPDATE deposits SET status = 'skipped', skip_reason = ? WHERE deposit_tx = ? AND status = 'pending'",
    );
    this.#markFailed = this.#db.prepare(
      `UPDATE deposits SET attempts = attempts + 1, next_attempt_at = ?
       WHERE deposit_tx = ? AND status = 'pending'`,
    );
    this.#byZeta = this.#db.prepare("SELECT * FROM deposits WHERE zeta = ? ORDER BY height, deposit_tx");
    this.#countByStatus = this.#db.prepare("SELECT status, COUNT(*) AS n FROM deposits GROUP BY status");
  }

  /**
   * Binds the file to one chain and one verifier address on first use; refuses a file made for another
   * (VERIFIER_ERROR_STORE_MISMATCH): its votes and checkpoint would mean nothing there.
   */
  bind(identity: { chainId: string; address: string }): void {
    const wanted: Record<string, string> = {
      schema: SCHEMA_VERSION,
      chainId: identity.chainId,
      address: identity.address.toLowerCase(),
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
      throw new VerifierError(
        "VERIFIER_ERROR_STORE_MISMATCH",
        `the verifier database was made for another ${differing.join(", ")}; use a new data directory`,
        { differing },
      );
    }
  }

  #meta(key: string): string | undefined {
    return (this.#getMeta.get(key) as { value: string } | undefined)?.value;
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

  /**
   * The height to follow deposit events from: the height of the last recorded event (events of that height are
   * delivered again and recognized by their deposit tx), or undefined before the first.
   */
  checkpoint(): number | undefined {
    const value = this.#meta("checkpoint");
    return value === undefined ? undefined : Number(value);
  }

  /**
   * Records deposit events and moves the checkpoint to `checkpoint`, atomically; an event already recorded (same
   * deposit tx) is not recorded again. Returns how many were new.
   */
  record(events: readonly DepositEvent[], checkpoint: number, now = Date.now()): number {
    let fresh = 0;
    this.#transaction(() => {
      for (const e of events) {
        fresh += Number(this.#insert.run(e.depositTx, e.zeta, e.height, e.sp, e.value, now).changes);
      }
      if (checkpoint > (this.checkpoint() ?? 0)) this.#setMeta.run("checkpoint", String(checkpoint));
    });
    return fresh;
  }

  /** Pending deposits whose next attempt is due, oldest first. */
  due(now: number, limit: number): DepositRecord[] {
    return (this.#due.all(now, limit) as Row[]).map(fromRow);
  }

  /** When the next pending deposit is due (Unix ms), or undefined when none is pending. */
  nextDueAt(): number | undefined {
    const row = this.#nextDue.get() as { at: number | null };
    return row.at === null ? undefined : Number(row.at);
  }

  setVerdict(depositTx: string, valid: boolean, reason: InvalidReason | undefined): void {
    this.#setVerdict.run(valid ? 1 : 0, reason ?? null, depositTx);
  }

  /** Marks a deposit voted; returns false when it was not pending (voted or skipped already). */
  markVoted(
    depositTx: string,
    vote: { valid: boolean; reason: InvalidReason | undefined; voteTx: string | undefined },
    now = Date.now(),
  ): boolean {
    const result = this.#markVoted.run(vote.valid ? 1 : 0, vote.reason ?? null, vote.voteTx ?? null, now, depositTx);
    return Number(result.changes) === 1;
  }

  markSkipped(depositTx: string, reason: SkipReason): boolean {
    return Number(this.#markSkipped.run(reason, depositTx).changes) === 1;
  }

  markFailed(depositTxs: readonly string[], nextAttemptAt: number): void {
    this.#transaction(() => {
      for (const tx of depositTxs) this.#markFailed.run(nextAttemptAt, tx);
    });
  }

  /** Every recorded deposit of `zeta`, oldest first (a released zeta may have been deposited again). */
  byZeta(zeta: string): DepositRecord[] {
    return (this.#byZeta.all(zeta.toLowerCase()) as Row[]).map(fromRow);
  }

  counts(): Record<DepositStatus, number> {
    const out: Record<DepositStatus, number> = { pending: 0, voted: 0, skipped: 0 };
    for (const row of this.#countByStatus.all() as { status: DepositStatus; n: number }[]) out[row.status] = row.n;
    return out;
  }

  /** Every recorded deposit, oldest first (tests and operators). */
  all(): DepositRecord[] {
    return (this.#db.prepare("SELECT * FROM deposits ORDER BY height, deposit_tx").all() as Row[]).map(fromRow);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

type Row = Record<string, string | number | null>;

function fromRow(row: Row): DepositRecord {
  const opt = <T>(v: string | number | null, f: (x: string | number) => T): T | undefined =>
    v === null ? undefined : f(v);
  return {
    depositTx: row.deposit_tx as string,
    zeta: row.zeta as string,
    height: Number(row.height),
    sp: row.sp as string,
    value: row.value as string,
    status: row.status as DepositStatus,
    valid: opt(row.valid as number | null, (v) => Number(v) === 1),
    reason: opt(row.reason as string | null, (v) => v as InvalidReason),
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    seenAt: Number(row.seen_at),
    votedAt: opt(row.voted_at as number | null, Number),
    voteTx: opt(row.vote_tx as string | null, String),
    skipReason: opt(row.skip_reason as string | null, (v) => v as SkipReason),
  };
}
