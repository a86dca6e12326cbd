import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { AnyRegistration, NodeKind, Presence, StoredMetricsReport } from "@nym-ts/directory-client";

/** A registration as the store keeps it. */
export interface StoredPresence extends Presence<AnyRegistration> {
  kind: NodeKind;
  identityKey: string;
}

export interface StoredMetrics extends StoredMetricsReport {
  identityKey: string;
}

/**
 * Where the directory keeps its state. The SQLite implementation below is the real one; the interface lets a test
 * or a future backend hand in another.
 */
export interface DirectoryStore {
  loadPresence(): StoredPresence[];
  upsertPresence(entry: StoredPresence): void;
  deletePresence(kind: NodeKind, identityKey: string): boolean;
  /** Deletes entries with expiresAt <= now and returns them. */
  deleteExpired(now: number): { kind: NodeKind; identityKey: string }[];
  /** Last timestamp accepted from each signer, the replay barrier. */
  lastTimestamp(identityKey: string): number | undefined;
  setLastTimestamp(identityKey: string, timestamp: number): void;
  /** Forgets signers not heard from since `before` (their timestamps are outside the window anyway). */
  pruneSigners(before: number): void;
  insertMetrics(entry: StoredMetrics, maxPerNode: number): void;
  metricsSince(since: number): StoredMetrics[];
  nodeMetrics(identityKey: string, since: number, limit: number): StoredMetrics[];
  pruneMetrics(before: number): number;
  /** A trivial query, for /health. */
  ping(): boolean;
  close(): void;
}

/** Opens (creating if needed) the directory's SQLite file; `:memory:` for a throwaway store. */
export function openSqliteStore(path: string): DirectoryStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA busy_timeout = 5000;
    CREATE TABLE IF NOT EXISTS presence (
      kind TEXT NOT NULL,
      identity_key TEXT NOT NULL,
      node TEXT NOT NULL,
      registered_at INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (kind, identity_key)
    ) STRICT;
    CREATE INDEX IF NOT EXISTS presence_expires ON presence (expires_at);
    CREATE TABLE IF NOT EXISTS signers (
      identity_key TEXT PRIMARY KEY,
      last_timestamp INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS metrics (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      identity_key TEXT NOT NULL,
      timestamp INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      received INTEGER NOT NULL,
      sent TEXT NOT NULL,
      dropped INTEGER NOT NULL,
      interval_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS metrics_node ON metrics (identity_key, received_at);
    CREATE INDEX IF NOT EXISTS metrics_time ON metrics (received_at);
  `);

  const statements = {
    load: db.prepare("SELECT kind, identity_key, node, registered_at, last_seen, expires_at FROM presence"),
    upsert: db.prepare(`
      INSERT INTO presence (kind, identity_key, node, registered_at, last_seen, expires_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (kind, identity_key) DO UPDATE SET
        node = excluded.node, registered_at = excluded.registered_at,
        last_seen = excluded.last_seen, expires_at = excluded.expires_at`),
    delete: db.prepare("DELETE FROM presence WHERE kind = ? AND identity_key = ?"),
    expired: db.prepare("DELETE FROM presence WHERE expires_at <= ? RETURNING kind, identity_key"),
    getSigner: db.prepare("SELECT last_timestamp FROM signers WHERE identity_key = ?"),
    setSigner: db.prepare(`
      INSERT INTO signers (identity_key, last_timestamp) VALUES (?, ?)
      ON CONFLICT (identity_key) DO UPDATE SET last_timestamp = excluded.last_timestamp`),
    pruneSigners: db.prepare("DELETE FROM signers WHERE last_timestamp < ?"),
    insertMetrics: db.prepare(`
      INSERT INTO metrics (identity_key, timestamp, received_at, received, sent, dropped, interval_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    capMetrics: db.prepare(`
      DELETE FROM metrics WHERE identity_key = ? AND id NOT IN (
        SELECT id FROM metrics WHERE identity_key = ? ORDER BY id DESC LIMIT ?)`),
    metricsSince: db.prepare(`SELECT * FROM metrics WHERE received_at >= ? ORDER BY id DESC`),
    nodeMetrics: db.prepare(
      `SELECT * FROM metrics WHERE identity_key = ? AND received_at >= ? ORDER BY id DESC LIMIT ?`,
    ),
    pruneMetrics: db.prepare("DELETE FROM metrics WHERE received_at < ?"),
    ping: db.prepare("SELECT 1 AS one"),
  } satisfies Record<string, StatementSync>;

  const toMetrics = (row: Record<string, unknown>): StoredMetrics => ({
    identityKey: row.identity_key as string,
    timestamp: Number(row.timestamp),
    receivedAt: Number(row.received_at),
    received: Number(row.received),
    sent: JSON.parse(row.sent as string) as Record<string, number>,
    dropped: Number(row.dropped),
    intervalMs: Number(row.interval_ms),
  });

  return {
    loadPresence() {
      return statements.load.all().map((row) => ({
        kind: row.kind as NodeKind,
        identityKey: row.identity_key as string,
        node: JSON.parse(row.node as string) as AnyRegistration,
        registeredAt: Number(row.registered_at),
        lastSeen: Number(row.last_seen),
        expiresAt: Number(row.expires_at),
      }));
    },
    upsertPresence(entry) {
      statements.upsert.run(
        entry.kind,
        entry.identityKey,
        JSON.stringify(entry.node),
        entry.registeredAt,
        entry.lastSeen,
        entry.expiresAt,
      );
    },
    deletePresence(kind, identityKey) {
      return Number(statements.delete.run(kind, identityKey).changes) > 0;
    },
    deleteExpired(now) {
      return statements.expired
        .all(now)
        .map((row) => ({ kind: row.kind as NodeKind, identityKey: row.identity_key as string }));
    },
    lastTimestamp(identityKey) {
      const row = statements.getSigner.get(identityKey);
      return row === undefined ? undefined : Number(row.last_timestamp);
    },
    setLastTimestamp(identityKey, timestamp) {
      statements.setSigner.run(identityKey, timestamp);
    },
    pruneSigners(before) {
      statements.pruneSigners.run(before);
    },
    insertMetrics(entry, maxPerNode) {
      db.exec("BEGIN");
      try {
        statements.insertMetrics.run(
          entry.identityKey,
          entry.timestamp,
          entry.receivedAt,
          entry.received,
          JSON.stringify(entry.sent),
          entry.dropped,
          entry.intervalMs,
        );
        statements.capMetrics.run(entry.identityKey, entry.identityKey, maxPerNode);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    metricsSince(since) {
      return statements.metricsSince.all(since).map(toMetrics);
    },
    nodeMetrics(identityKey, since, limit) {
      return statements.nodeMetrics.all(identityKey, since, limit).map(toMetrics);
    },
    pruneMetrics(before) {
      return Number(statements.pruneMetrics.run(before).changes);
    },
    ping() {
      return statements.ping.get()?.one === 1;
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
}
