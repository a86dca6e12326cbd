import { DatabaseSync, type StatementSync } from "node:sqlite";

/**
 * The replay-tag cache of a mix: a tag seen once within a key epoch is a replay the second time. Tags live in memory
 * (a Set keyed by the first 16 bytes of the 32-byte tag: a 128-bit collision among honest tags is out of reach) and
 * are appended to SQLite in batched transactions every `flushIntervalMs` and on `close`, so a restarted node still
 * recognises packets it processed before it went down. The epoch is the node's Sphinx public key: a new key starts an
 * empty cache and the rows of older epochs are deleted.
 *
 * A crash (not a clean stop) can lose the tags of the last flush interval; memory and disk grow with the packets of
 * one epoch, so rotate the Sphinx key (or move to a Bloom filter, as nym does) for long-lived high-rate nodes.
 */
export interface ReplayCacheOptions {
  /** SQLite file; `:memory:` for a cache that does not survive restarts (tests only). */
  path: string;
  /** Key epoch identifier, e.g. the hex Sphinx public key. */
  epoch: string;
  flushIntervalMs?: number;
}

export class ReplayCache {
  private readonly db: DatabaseSync;
  private readonly seen = new Set<string>();
  private pending: Buffer[] = [];
  private readonly insert: StatementSync;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  readonly loaded: number;

  constructor(private readonly options: ReplayCacheOptions) {
    this.db = new DatabaseSync(options.path);
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS replay_tags (epoch TEXT NOT NULL, tag BLOB NOT NULL, PRIMARY KEY (epoch, tag)) WITHOUT ROWID;`);
    this.db.prepare("DELETE FROM replay_tags WHERE epoch <> ?").run(options.epoch);
    const rows = this.db.prepare("SELECT tag FROM replay_tags WHERE epoch = ?").all(options.epoch) as {
      tag: Uint8Array;
    }[];
    for (const row of rows) this.seen.add(Buffer.from(row.tag).toString("latin1"));
    this.loaded = rows.length;
    this.insert = this.db.prepare("INSERT OR IGNORE INTO replay_tags (epoch, tag) VALUES (?, ?)");
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  get size(): number {
    return this.seen.size;
  }

  /** Whether the tag was seen before in this epoch. */
  has(tag: Uint8Array): boolean {
    return this.seen.has(this.key(tag));
  }

  /** Records the tag of a packet that was accepted. */
  add(tag: Uint8Array): void {
    const key = this.key(tag);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.pending.push(Buffer.from(tag.subarray(0, 16)));
  }

  /** Records the tag; true when it is new, false when it was seen before in this epoch (a replay). */
  checkAndAdd(tag: Uint8Array): boolean {
    if (this.has(tag)) return false;
    this.add(tag);
    return true;
  }

  private key(tag: Uint8Array): string {
    if (tag.length < 16) throw new RangeError("replay tag must be at least 16 bytes");
    return Buffer.from(tag.buffer, tag.byteOffset, 16).toString("latin1");
  }

  /** Writes the tags seen since the last flush in one transaction. */
  flush(): void {
    if (this.closed || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.db.exec("BEGIN");
    try {
      for (const tag of batch) this.insert.run(this.options.epoch, tag);
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      this.pending = batch.concat(this.pending);
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
