import { DatabaseSync, type StatementSync } from "node:sqlite";

/**
 * The replay-tag cache of a mix: a tag seen once within a key epoch is a replay the second time. Tags live in memory
 * (a Set keyed by the first 16 bytes of the 32-byte tag: a 128-bit collision among honest tags is out of reach) and
 * are appended to SQLite every `flushIntervalMs` and on `close`, so a restarted node still recognises packets it
 * processed before it went down. A flush writes ONE row holding every tag since the last one (16 bytes each, back to
 * back): one statement per flush instead of one per packet (~0.1 us per tag rather than ~5-25 us). The epoch is the
 * node's Sphinx public key: a new key starts an empty cache and the rows of older epochs are deleted.
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

/** Bytes of a tag the cache keeps. */
const KEY_BYTES = 16;

export class ReplayCache {
  private readonly db: DatabaseSync;
  private readonly seen = new Set<string>();
  /** Tags accepted since the last flush, KEY_BYTES each, back to back in `pending[0, pendingBytes)`. */
  private pending = Buffer.allocUnsafe(KEY_BYTES * 1024);
  private pendingBytes = 0;
  private readonly insert: StatementSync;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  readonly loaded: number;
  /** Periodic flushes that failed (the tags stay pending and go with the next flush). */
  flushErrors = 0;

  constructor(private readonly options: ReplayCacheOptions) {
    this.db = new DatabaseSync(options.path);
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS replay_tag_batches (id INTEGER PRIMARY KEY, epoch TEXT NOT NULL, tags BLOB NOT NULL);`);
    this.migrateRowPerTag();
    this.db.prepare("DELETE FROM replay_tag_batches WHERE epoch <> ?").run(options.epoch);
    const rows = this.db.prepare("SELECT tags FROM replay_tag_batches WHERE epoch = ?").all(options.epoch) as {
      tags: Uint8Array;
    }[];
    for (const row of rows) {
      const tags = Buffer.from(row.tags.buffer, row.tags.byteOffset, row.tags.byteLength);
      // Only whole tags: a torn trailing piece (impossible short of disk corruption) is ignored.
      for (let at = 0; at + KEY_BYTES <= tags.length; at += KEY_BYTES) {
        this.seen.add(tags.toString("latin1", at, at + KEY_BYTES));
      }
    }
    this.loaded = this.seen.size;
    this.insert = this.db.prepare("INSERT INTO replay_tag_batches (epoch, tags) VALUES (?, ?)");
    this.timer = setInterval(() => {
      try {
        this.flush();
      } catch {
        this.flushErrors++;
      }
    }, options.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  /** Moves the tags of the first file format (one row per tag) into one batch row, then drops that table. */
  private migrateRowPerTag(): void {
    const old = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'replay_tags'").get();
    if (old === undefined) return;
    const rows = this.db.prepare("SELECT tag FROM replay_tags WHERE epoch = ?").all(this.options.epoch) as {
      tag: Uint8Array;
    }[];
    const tags = Buffer.concat(rows.map((r) => r.tag.subarray(0, KEY_BYTES)));
    this.db.exec("BEGIN");
    try {
      if (tags.length > 0) {
        this.db.prepare("INSERT INTO replay_tag_batches (epoch, tags) VALUES (?, ?)").run(this.options.epoch, tags);
      }
      this.db.exec("DROP TABLE replay_tags");
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
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
    if (this.pendingBytes + KEY_BYTES > this.pending.length) {
      const grown = Buffer.allocUnsafe(this.pending.length * 2);
      this.pending.copy(grown, 0, 0, this.pendingBytes);
      this.pending = grown;
    }
    this.pending.set(tag.subarray(0, KEY_BYTES), this.pendingBytes);
    this.pendingBytes += KEY_BYTES;
  }

  /** Records the tag; true when it is new, false when it was seen before in this epoch (a replay). */
  checkAndAdd(tag: Uint8Array): boolean {
    if (this.has(tag)) return false;
    this.add(tag);
    return true;
  }

  private key(tag: Uint8Array): string {
    if (tag.length < KEY_BYTES) throw new RangeError(`replay tag must be at least ${KEY_BYTES} bytes`);
    return Buffer.from(tag.buffer, tag.byteOffset, KEY_BYTES).toString("latin1");
  }

  /** Tags accepted and not yet written to disk. */
  get unflushed(): number {
    return this.pendingBytes / KEY_BYTES;
  }

  /** Writes the tags seen since the last flush as one row (kept pending, and the error thrown, if that fails). */
  flush(): void {
    if (this.closed || this.pendingBytes === 0) return;
    this.insert.run(this.options.epoch, this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
    // Give back a buffer a burst made large; the usual one is 16 KiB.
    if (this.pending.length > KEY_BYTES * 65_536) this.pending = Buffer.allocUnsafe(KEY_BYTES * 1024);
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    try {
      this.flush();
    } finally {
      this.closed = true;
      this.db.close();
    }
  }
}
