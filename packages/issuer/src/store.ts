import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { IssuerRejectionReason } from "@nym-ts/credentials";
import { IssuerError } from "./errors.js";

/** What a store belongs to: a file made for one chain, index or key share is refused for another. */
export interface StoreIdentity {
  chainId: string;
  issuerIndex: number;
  /** The issuer's verification key share (0x hex): a new share means partials the old file holds are useless. */
  verificationKey: string;
}

/** A credential request as the issuer saw it in a committed `credential_request` event. */
export interface SeenRequest {
  requestId: string;
  height: number;
  requester: string;
  value: string;
}

export type StoredRequest =
  | (SeenRequest & { status: "signed"; blindedSignature: string; processedAt: number })
  | (SeenRequest & { status: "rejected"; reason: IssuerRejectionReason; detail: string; processedAt: number });

const SCHEMA_VERSION = "1";

/**
 * The issuer's SQLite file: every credential request it has decided on (its partial credential, or why it refused)
 * and the checkpoint, the height up to which every request is decided. A decision and the checkpoint it allows are
 * written in one transaction, and a request id already decided is never decided again: a restart that replays
 * events from `checkpoint + 1` signs each request exactly once.
 */
export class IssuerStore {
  readonly #db: DatabaseSync;
  readonly #getMeta: StatementSync;
  readonly #setMeta: StatementSync;
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #counts: StatementSync;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS requests (
        request_id TEXT PRIMARY KEY,
        height INTEGER NOT NULL,
        requester TEXT NOT NULL,
        value TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('signed', 'rejected')),
        blinded_signature TEXT,
        reason TEXT,
        detail TEXT,
        processed_at INTEGER NOT NULL,
        CHECK ((status = 'signed') = (blinded_signature IS NOT NULL))
      ) STRICT;
    `);
    this.#getMeta = this.#db.prepare("SELECT value FROM meta WHERE key = ?");
    this.#setMeta = this.#db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    this.#insert = this.#db.prepare(
      `INSERT INTO requests (request_id, height, requester, value, status, blinded_signature, reason, detail,
         processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING`,
    );
    this.#get = this.#db.prepare("SELECT * FROM requests WHERE request_id = ?");
    this.#counts = this.#db.prepare("SELECT status, COUNT(*) AS n FROM requests GROUP BY status");
  }

  /**
   * Binds a new file to `identity`, or checks an existing one was made for it; throws ISSUER_ERROR_STORE_MISMATCH
   * naming what differs.
   */
  bind(identity: StoreIdentity): void {
    const wanted: Record<string, string> = {
      schema: SCHEMA_VERSION,
      chainId: identity.chainId,
      issuerIndex: String(identity.issuerIndex),
      verificationKey: identity.verificationKey,
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
      throw new IssuerError(
        "ISSUER_ERROR_STORE_MISMATCH",
        `the issuer database was made for another ${differing.join(", ")}; use a new data directory`,
        { differing },
      );
    }
  }

  #meta(key: string): string | undefined {
    return (this.#getMeta.get(key) as { value: string } | undefined)?.value;
  }

  #transaction<T>(body: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Every request at a height <= this is decided (0 before the first); follow the chain from `checkpoint() + 1`. */
  checkpoint(): number {
    return Number(this.#meta("checkpoint") ?? 0);
  }

  /** Moves the checkpoint forward (never back); returns the checkpoint after the call. */
  advanceCheckpoint(height: number): number {
    return this.#transaction(() => this.#advance(height));
  }

  #advance(height: number): number {
    const current = this.checkpoint();
    if (!Number.isSafeInteger(height) || height <= current) return current;
    this.#setMeta.run("checkpoint", String(height));
    return height;
  }

  /** Whether this request id is already decided (signed or rejected). */
  has(requestId: string): boolean {
    return this.#get.get(requestId) !== undefined;
  }

  get(requestId: string): StoredRequest | undefined {
    const row = this.#get.get(requestId) as Record<string, string | number | null> | undefined;
    if (!row) return undefined;
    const seen: SeenRequest = {
      requestId: row.request_id as string,
      height: Number(row.height),
      requester: row.requester as string,
      value: row.value as string,
    };
    const processedAt = Number(row.processed_at);
    return row.status === "signed"
      ? { ...seen, status: "signed", blindedSignature: row.blinded_signature as string, processedAt }
      : {
          ...seen,
          status: "rejected",
          reason: row.reason as IssuerRejectionReason,
          detail: (row.detail as string | null) ?? "",
          processedAt,
        };
  }

  /**
   * Records the partial credential of a request and, in the same transaction, moves the checkpoint to
   * `height - 1` (events come in block order, so every lower height is decided; others at `height` may not be).
   * Returns false, changing nothing, when the request is already decided.
   */
  recordSigned(request: SeenRequest, blindedSignature: string, now = Date.now()): boolean {
    return this.#record(request, "signed", blindedSignature, null, null, now);
  }

  /** Records a refusal (with the same checkpoint rule as recordSigned); false when the request is already decided. */
  recordRejected(request: SeenRequest, reason: IssuerRejectionReason, detail: string, now = Date.now()): boolean {
    return this.#record(request, "rejected", null, reason, detail, now);
  }

  #record(
    request: SeenRequest,
    status: "signed" | "rejected",
    blindedSignature: string | null,
    reason: string | null,
    detail: string | null,
    now: number,
  ): boolean {
    return this.#transaction(() => {
      const { changes } = this.#insert.run(
        request.requestId,
        request.height,
        request.requester,
        request.value,
        status,
        blindedSignature,
        reason,
        detail,
        now,
      );
      this.#advance(request.height - 1);
      return Number(changes) === 1;
    });
  }

  /** How many requests are signed and rejected. */
  counts(): { signed: number; rejected: number } {
    const out = { signed: 0, rejected: 0 };
    for (const row of this.#counts.all() as { status: "signed" | "rejected"; n: number }[]) {
      out[row.status] = Number(row.n);
    }
    return out;
  }

  /** A trivial query, for /health. */
  ping(): boolean {
    try {
      this.#db.prepare("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
