import { DatabaseSync, type StatementSync } from "node:sqlite";

/**
 * Per-client mailboxes in one SQLite file: packets for a registered client wait here until the client confirms it
 * has them (pull or push, then DELIVERED), so they survive a gateway restart. Each client's mailbox is bounded.
 */
export class MailboxStore {
  private readonly db: DatabaseSync;
  private readonly stmts: {
    register: StatementSync;
    isRegistered: StatementSync;
    clients: StatementSync;
    insert: StatementSync;
    count: StatementSync;
    fetch: StatementSync;
    remove: StatementSync;
  };

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS clients (id BLOB PRIMARY KEY, registered_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, client BLOB NOT NULL, data BLOB NOT NULL, received_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS messages_by_client ON messages (client, id);`);
    this.stmts = {
      register: this.db.prepare("INSERT OR IGNORE INTO clients (id, registered_at) VALUES (?, ?)"),
      isRegistered: this.db.prepare("SELECT 1 AS x FROM clients WHERE id = ?"),
      clients: this.db.prepare("SELECT COUNT(*) AS n FROM clients"),
      insert: this.db.prepare("INSERT INTO messages (client, data, received_at) VALUES (?, ?, ?)"),
      count: this.db.prepare("SELECT COUNT(*) AS n FROM messages WHERE client = ?"),
      fetch: this.db.prepare("SELECT id, data FROM messages WHERE client = ? AND id > ? ORDER BY id LIMIT ?"),
      remove: this.db.prepare("DELETE FROM messages WHERE client = ? AND id = ?"),
    };
  }

  /** Registers a client key; true when it is new. */
  register(client: Uint8Array): boolean {
    return Number(this.stmts.register.run(client, Date.now()).changes) > 0;
  }

  clientCount(): number {
    return Number((this.stmts.clients.get() as { n: number | bigint }).n);
  }

  isRegistered(client: Uint8Array): boolean {
    return this.stmts.isRegistered.get(client) !== undefined;
  }

  /** Stores a message; returns its id. */
  store(client: Uint8Array, data: Uint8Array): bigint {
    return BigInt(this.stmts.insert.run(client, data, Date.now()).lastInsertRowid);
  }

  count(client: Uint8Array): number {
    return Number((this.stmts.count.get(client) as { n: number | bigint }).n);
  }

  /** Up to `limit` stored messages with ids above `after`, oldest first. */
  fetch(client: Uint8Array, limit: number, after = 0n): { id: bigint; data: Uint8Array }[] {
    this.stmts.fetch.setReadBigInts(true);
    const rows = this.stmts.fetch.all(client, after, limit) as { id: bigint; data: Uint8Array }[];
    return rows.map((r) => ({ id: r.id, data: new Uint8Array(r.data) }));
  }

  /** Deletes the client's messages with these ids (others' ids are ignored); returns how many went. */
  remove(client: Uint8Array, ids: readonly bigint[]): number {
    let removed = 0;
    this.db.exec("BEGIN");
    try {
      for (const id of ids) removed += Number(this.stmts.remove.run(client, id).changes);
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
    return removed;
  }

  close(): void {
    this.db.close();
  }
}
