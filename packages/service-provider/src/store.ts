import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { ServiceProviderError } from "./errors.js";

/**
 * Where a zeta stands for this SP:
 * - `depositing`: claimed by a spend in progress, the deposit tx not yet accepted by the chain's CheckTx;
 * - `deposited`: this SP's deposit is on its way or being verified (also after a spend timed out waiting);
 * - `spent`: the chain marked it spent and credited this SP;
 * - `released`: the verifiers found this SP's deposit invalid;
 * - `in_use`: the chain refused this SP's deposit because the zeta was already deposited (by anyone);
 * - `spent_elsewhere`: seen spent at another SP in the chain's events, never deposited here.
 * Every status but `depositing` on a failed broadcast is final: the zeta is refused at once ever after.
 */
export type ZetaRecordStatus = "depositing" | "deposited" | "spent" | "released" | "in_use" | "spent_elsewhere";

export interface ZetaRecord {
  zeta: string;
  status: ZetaRecordStatus;
  value: string | null;
  depositTx: string | null;
  firstSeenAt: number;
  updatedAt: number;
}

const SCHEMA_VERSION = "1";

/**
 * The SP's SQLite file: every zeta it has claimed, deposited or seen spent. A spend inserts its row (the claim)
 * before the deposit is sent, in one statement that fails when the row exists: with the in-process lock this makes
 * one deposit per zeta, even with two SP processes on one file. The file is tied to the SP's chain address.
 */
export class SpendStore {
  readonly #db: DatabaseSync;
  readonly #claim: StatementSync;
  readonly #get: StatementSync;
  readonly #setStatus: StatementSync;
  readonly #markDeposited: StatementSync;
  readonly #release: StatementSync;
  readonly #insertSeen: StatementSync;
  readonly #unsettled: StatementSync;
  readonly #counts: StatementSync;
  readonly #getMeta: StatementSync;
  readonly #putMeta: StatementSync;

  constructor(path: string, address: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS zetas (
        zeta TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN
          ('depositing', 'deposited', 'spent', 'released', 'in_use', 'spent_elsewhere')),
        value TEXT,
        deposit_tx TEXT,
        first_seen_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS zetas_status ON zetas (status);
    `);
    const getMeta = this.#db.prepare("SELECT value FROM meta WHERE key = ?");
    const setMeta = this.#db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING");
    setMeta.run("schema_version", SCHEMA_VERSION);
    setMeta.run("address", address);
    this.#getMeta = getMeta;
    this.#putMeta = this.#db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    const stored = (getMeta.get("address") as { value: string }).value;
    if (stored !== address) {
      this.#db.close();
      throw new ServiceProviderError("SP_ERROR_STORE", `${path} belongs to the SP ${stored}, not ${address}`);
    }
    this.#claim = this.#db.prepare(
      `INSERT INTO zetas (zeta, status, value, first_seen_at, updated_at) VALUES (?, 'depositing', ?, ?, ?)
       ON CONFLICT (zeta) DO NOTHING`,
    );
    this.#get = this.#db.prepare("SELECT * FROM zetas WHERE zeta = ?");
    this.#setStatus = this.#db.prepare("UPDATE zetas SET status = ?, updated_at = ? WHERE zeta = ?");
    this.#markDeposited = this.#db.prepare(
      "UPDATE zetas SET status = 'deposited', deposit_tx = ?, updated_at = ? WHERE zeta = ? AND status = 'depositing'",
    );
    this.#release = this.#db.prepare("DELETE FROM zetas WHERE zeta = ? AND status = 'depositing'");
    this.#insertSeen = this.#db.prepare(
      `INSERT INTO zetas (zeta, status, value, deposit_tx, first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (zeta) DO NOTHING`,
    );
    this.#unsettled = this.#db.prepare(
      "SELECT * FROM zetas WHERE status IN ('depositing', 'deposited') ORDER BY first_seen_at LIMIT ?",
    );
    this.#counts = this.#db.prepare("SELECT status, COUNT(*) AS n FROM zetas GROUP BY status");
  }

  /** Inserts the row of a spend about to be deposited; false when the zeta already has one (refuse the spend). */
  claim(zeta: string, value: string, now = Date.now()): boolean {
    return Number(this.#claim.run(zeta, value, now, now).changes) === 1;
  }

  get(zeta: string): ZetaRecord | undefined {
    const row = this.#get.get(zeta) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The chain's CheckTx accepted this SP's deposit tx `depositTx`. */
  markDeposited(zeta: string, depositTx: string, now = Date.now()): void {
    this.#markDeposited.run(depositTx, now, zeta);
  }

  setStatus(zeta: string, status: Exclude<ZetaRecordStatus, "depositing">, now = Date.now()): void {
    this.#setStatus.run(status, now, zeta);
  }

  /** Drops a claim whose deposit never reached the chain, so the spend may be tried again. */
  release(zeta: string): boolean {
    return Number(this.#release.run(zeta).changes) === 1;
  }

  /**
   * Records a decision the chain announced for `zeta`: this SP's own row takes the status; a zeta spent at another
   * SP and unknown here is remembered as `spent_elsewhere`, so a later spend of it is refused without the chain.
   */
  observe(zeta: string, status: "spent" | "released", ours: boolean, now = Date.now()): void {
    const row = this.get(zeta);
    if (row && (row.status === "deposited" || row.status === "depositing") && ours) {
      this.setStatus(zeta, status, now);
      return;
    }
    if (!row && status === "spent")
      this.#insertSeen.run(zeta, ours ? "spent" : "spent_elsewhere", null, null, now, now);
  }

  /** Rows whose decision this SP has not seen (after a timeout or a restart), oldest first. */
  unsettled(limit = 1000): ZetaRecord[] {
    return (this.#unsettled.all(limit) as unknown as Row[]).map(fromRow);
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.#counts.all() as { status: string; n: number }[]) out[row.status] = Number(row.n);
    return out;
  }

  /** A setting the SP keeps across restarts (the mixnet gateway it picked). */
  getMeta(key: string): string | undefined {
    return (this.#getMeta.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#putMeta.run(key, value);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

interface Row {
  zeta: string;
  status: ZetaRecordStatus;
  value: string | null;
  deposit_tx: string | null;
  first_seen_at: number;
  updated_at: number;
}

function fromRow(row: Row): ZetaRecord {
  return {
    zeta: row.zeta,
    status: row.status,
    value: row.value,
    depositTx: row.deposit_tx,
    firstSeenAt: Number(row.first_seen_at),
    updatedAt: Number(row.updated_at),
  };
}
