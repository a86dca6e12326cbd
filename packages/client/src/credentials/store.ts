import { closeSync, existsSync, fstatSync, openSync } from "node:fs";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { ClientCredentialError } from "./errors.js";

/** Where a stored credential stands. */
export type CredentialStatus =
  /** Secrets stored, the request tx not yet known committed (a crash here leaves it pending). */
  | "pending"
  /** The request tx is committed (value debited): partial credentials can be collected. */
  | "requested"
  /** The aggregated credential is stored: spendable once. */
  | "issued"
  /** A proof went to an SP and no final answer came back (the chain has the last word: see reconcile). */
  | "spending"
  /** The SP accepted it: the chain marked it spent. */
  | "spent"
  /** The SP or the chain refused the spend (outcome and reason say why); never offered again. */
  | "rejected"
  /** The chain refused the request tx: nothing was debited. */
  | "failed";

export const CREDENTIAL_STATUSES: readonly CredentialStatus[] = [
  "pending",
  "requested",
  "issued",
  "spending",
  "spent",
  "rejected",
  "failed",
];

/** A credential's row. Secrets (serial, binding, openings, signature) never leave this file and the client. */
export interface StoredCredential {
  id: string;
  account: string;
  value: bigint;
  status: CredentialStatus;
  serial: bigint;
  binding: bigint;
  openings: bigint[];
  blindSignRequest: string;
  publicAttributes: string[];
  height: number | undefined;
  signature: string | undefined;
  issuers: number[];
  sp: string | undefined;
  zeta: string | undefined;
  outcome: string | undefined;
  reason: string | undefined;
  depositTx: string | undefined;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string;
  account: string;
  value: string;
  status: string;
  serial: string;
  binding: string;
  openings: string;
  blind_sign_request: string;
  public_attributes: string;
  height: number | null;
  signature: string | null;
  issuers: string;
  sp: string | null;
  zeta: string | null;
  outcome: string | null;
  reason: string | null;
  deposit_tx: string | null;
  created_at: number;
  updated_at: number;
}

const big = (x: bigint): string => `0x${x.toString(16)}`;

function fromRow(r: Row): StoredCredential {
  return {
    id: r.id,
    account: r.account,
    value: BigInt(r.value),
    status: r.status as CredentialStatus,
    serial: BigInt(r.serial),
    binding: BigInt(r.binding),
    openings: (JSON.parse(r.openings) as string[]).map((o) => BigInt(o)),
    blindSignRequest: r.blind_sign_request,
    publicAttributes: JSON.parse(r.public_attributes) as string[],
    height: r.height ?? undefined,
    signature: r.signature ?? undefined,
    issuers: JSON.parse(r.issuers) as number[],
    sp: r.sp ?? undefined,
    zeta: r.zeta ?? undefined,
    outcome: r.outcome ?? undefined,
    reason: r.reason ?? undefined,
    depositTx: r.deposit_tx ?? undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The client's credentials in a SQLite file (mode 0600, refused when group or others may read it: it holds the
 * secrets behind every credential). Status changes are single guarded UPDATEs, so two nymclient processes on one
 * directory cannot both take the same credential for a spend (`reserveForSpend` succeeds once).
 */
export class CredentialStore {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #list: StatementSync;
  readonly #transition: StatementSync;
  readonly #oldestIssued: StatementSync;

  constructor(path: string) {
    if (!existsSync(path)) closeSync(openSync(path, "wx", 0o600));
    const fd = openSync(path, "r");
    try {
      const mode = fstatSync(fd).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        throw new ClientCredentialError(
          "CLIENT_ERROR_STORE",
          `${path} is readable by others (mode ${mode.toString(8)}): its credentials must be treated as leaked`,
          { path },
        );
      }
    } finally {
      closeSync(fd);
    }
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA busy_timeout = 5000;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS credentials (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        value TEXT NOT NULL,
        status TEXT NOT NULL,
        serial TEXT NOT NULL,
        binding TEXT NOT NULL,
        openings TEXT NOT NULL,
        blind_sign_request TEXT NOT NULL,
        public_attributes TEXT NOT NULL,
        height INTEGER,
        signature TEXT,
        issuers TEXT NOT NULL DEFAULT '[]',
        sp TEXT,
        zeta TEXT,
        outcome TEXT,
        reason TEXT,
        deposit_tx TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS credentials_status ON credentials (status, created_at);
    `);
    this.#insert = this.#db.prepare(
      `INSERT INTO credentials (id, account, value, status, serial, binding, openings, blind_sign_request,
         public_attributes, created_at, updated_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#get = this.#db.prepare("SELECT * FROM credentials WHERE id = ?");
    this.#list = this.#db.prepare("SELECT * FROM credentials ORDER BY created_at, id");
    this.#transition = this.#db.prepare(
      `UPDATE credentials SET status = :to, updated_at = :now,
         height = COALESCE(:height, height), signature = COALESCE(:signature, signature),
         issuers = COALESCE(:issuers, issuers), sp = COALESCE(:sp, sp), zeta = COALESCE(:zeta, zeta),
         outcome = COALESCE(:outcome, outcome), reason = COALESCE(:reason, reason),
         deposit_tx = COALESCE(:depositTx, deposit_tx)
       WHERE id = :id AND status = :from`,
    );
    this.#oldestIssued = this.#db.prepare(
      "SELECT * FROM credentials WHERE status = 'issued' AND (:value IS NULL OR value = :value) ORDER BY created_at, id LIMIT 1",
    );
  }

  /** Stores a new request's secrets before its tx is broadcast, so a crash after the broadcast loses nothing. */
  insertPending(entry: {
    id: string;
    account: string;
    value: bigint;
    serial: bigint;
    binding: bigint;
    openings: readonly bigint[];
    blindSignRequest: string;
    publicAttributes: readonly string[];
  }): void {
    const now = Date.now();
    this.#insert.run(
      entry.id,
      entry.account,
      entry.value.toString(),
      big(entry.serial),
      big(entry.binding),
      JSON.stringify(entry.openings.map(big)),
      entry.blindSignRequest,
      JSON.stringify(entry.publicAttributes),
      now,
      now,
    );
  }

  get(id: string): StoredCredential | undefined {
    const row = this.#get.get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): StoredCredential[] {
    return (this.#list.all() as unknown as Row[]).map(fromRow);
  }

  /** The oldest spendable credential (of `value`, when given). */
  oldestIssued(value?: bigint): StoredCredential | undefined {
    const row = this.#oldestIssued.get({ value: value === undefined ? null : value.toString() }) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /**
   * Moves a credential from `from` to `to` (with the fields given), atomically: false when it was not in `from`
   * (another process moved it first, or it never was).
   */
  transition(
    id: string,
    from: CredentialStatus,
    to: CredentialStatus,
    fields: {
      height?: number;
      signature?: string;
      issuers?: number[];
      sp?: string;
      zeta?: string;
      outcome?: string;
      reason?: string;
      depositTx?: string;
    } = {},
  ): boolean {
    const result = this.#transition.run({
      id,
      from,
      to,
      now: Date.now(),
      height: fields.height ?? null,
      signature: fields.signature ?? null,
      issuers: fields.issuers ? JSON.stringify(fields.issuers) : null,
      sp: fields.sp ?? null,
      zeta: fields.zeta ?? null,
      outcome: fields.outcome ?? null,
      reason: fields.reason ?? null,
      depositTx: fields.depositTx ?? null,
    });
    return Number(result.changes) === 1;
  }

  /** Takes an issued credential for a spend at `sp`: succeeds once per credential, ever. */
  reserveForSpend(id: string, sp: string, zeta: string): boolean {
    return this.transition(id, "issued", "spending", { sp, zeta });
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
