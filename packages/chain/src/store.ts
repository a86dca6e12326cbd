import { DatabaseSync, type StatementSync } from "node:sqlite";
import { ChainError } from "@nym-ts/chain-client";

/** Read access to the ledger's key-value state. Values are canonical JSON strings. */
export interface KvReader {
  get(key: string): string | undefined;
}

export interface CommitMeta {
  height: number;
  appHash: Uint8Array;
  chainId: string;
}

/**
 * The committed state. FinalizeBlock never writes here (CometBFT may replay a block that was not committed);
 * Commit applies one block's writes together with the new height and app hash, atomically.
 */
export interface CommittedStore extends KvReader {
  meta(): CommitMeta | undefined;
  commit(writes: ReadonlyMap<string, string>, meta: CommitMeta): void;
  close(): void;
}

/** Writes layered over a reader; what FinalizeBlock and CheckTx execute against. */
export class Overlay implements KvReader {
  readonly writes = new Map<string, string>();
  constructor(readonly parent: KvReader) {}
  get(key: string): string | undefined {
    const own = this.writes.get(key);
    return own !== undefined ? own : this.parent.get(key);
  }
  set(key: string, value: string): void {
    this.writes.set(key, value);
  }
  /** Moves this overlay's writes into `target` (a parent overlay). */
  mergeInto(target: Overlay): void {
    for (const [k, v] of this.writes) target.set(k, v);
  }
}

export class MemoryStore implements CommittedStore {
  readonly #data = new Map<string, string>();
  #meta: CommitMeta | undefined;
  get(key: string): string | undefined {
    return this.#data.get(key);
  }
  meta(): CommitMeta | undefined {
    return this.#meta;
  }
  commit(writes: ReadonlyMap<string, string>, meta: CommitMeta): void {
    for (const [k, v] of writes) this.#data.set(k, v);
    this.#meta = { ...meta, appHash: Uint8Array.from(meta.appHash) };
  }
  close(): void {}
}

/**
 * SQLite (node:sqlite) state: one `kv` table and a one-row `meta` table, both written in a single transaction at
 * Commit, so a crash leaves either the old block or the new one. Reads go through an in-memory cache.
 *
 * `kv` is an ordinary rowid table with an index on the key, not WITHOUT ROWID: a WITHOUT ROWID table keeps whole rows
 * in its key b-tree, which suits rows under about 200 bytes; ours are up to a few KiB, and writing them that way cost
 * about 3x the CPU per row at Commit (45 vs 16 us for a 1.2 KB value, measured). A ledger created with the older
 * layout keeps it and works unchanged. The page cache is 64 MiB (SQLite's default is 2 MiB): lookups of keys that are
 * not in the state (every new zeta) and the b-tree pages touched at Commit then stay in memory. The WAL is
 * checkpointed every 10,000 pages (40 MiB) instead of 1,000: a block of a few hundred txs dirties about 600 pages, so
 * the default checkpointed (and fsynced) every other block inside Commit; the state stays crash-safe either way.
 */
export class SqliteStore implements CommittedStore {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, string | null>();
  readonly #maxCache: number;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #putMeta: StatementSync;
  #meta: CommitMeta | undefined;

  constructor(path: string, options: { maxCacheEntries?: number } = {}) {
    this.#maxCache = options.maxCacheEntries ?? 200_000;
    this.#db = new DatabaseSync(path);
    // One validator owns its ledger: the exclusive lock is taken here and held until close, so a second process
    // (another validator started on the same data dir) fails at once instead of interleaving commits, and no
    // transaction pays for file locks (fcntl) again. In WAL mode it also keeps the WAL index in memory, no -shm file.
    try {
      this.#db.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;");
    } catch (cause) {
      this.#db.close();
      throw new ChainError("CHAIN_ERROR_STATE", `ledger ${path} is in use by another process`, { path }, { cause });
    }
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA cache_size = -65536;
      PRAGMA wal_autocheckpoint = 10000;
      CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 1), height INTEGER NOT NULL,
        app_hash BLOB NOT NULL, chain_id TEXT NOT NULL);
    `);
    this.#get = this.#db.prepare("SELECT value FROM kv WHERE key = ?");
    this.#put = this.#db.prepare(
      "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    this.#putMeta = this.#db.prepare(
      "INSERT INTO meta (id, height, app_hash, chain_id) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET height = excluded.height, app_hash = excluded.app_hash, chain_id = excluded.chain_id",
    );
    const row = this.#db.prepare("SELECT height, app_hash, chain_id FROM meta WHERE id = 1").get() as
      | { height: number | bigint; app_hash: Uint8Array; chain_id: string }
      | undefined;
    if (row) {
      if (!(row.app_hash instanceof Uint8Array) || typeof row.chain_id !== "string") {
        throw new ChainError("CHAIN_ERROR_STATE", `corrupt meta row in ${path}`, { path });
      }
      this.#meta = { height: Number(row.height), appHash: Uint8Array.from(row.app_hash), chainId: row.chain_id };
    }
  }

  get(key: string): string | undefined {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.#get.get(key) as { value: string } | undefined;
    if (this.#cache.size >= this.#maxCache) this.#cache.clear();
    this.#cache.set(key, row ? row.value : null);
    return row?.value;
  }

  meta(): CommitMeta | undefined {
    return this.#meta;
  }

  commit(writes: ReadonlyMap<string, string>, meta: CommitMeta): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const [k, v] of writes) this.#put.run(k, v);
      this.#putMeta.run(meta.height, meta.appHash, meta.chainId);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      this.#cache.clear();
      throw error;
    }
    if (this.#cache.size + writes.size >= this.#maxCache) this.#cache.clear();
    for (const [k, v] of writes) this.#cache.set(k, v);
    this.#meta = { ...meta, appHash: Uint8Array.from(meta.appHash) };
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
