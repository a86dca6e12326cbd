import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import {
  type AnyRegistration,
  canonicalJson,
  type GatewayRegistration,
  type IssuerRegistration,
  MIX_LAYERS,
  type MixnodeRegistration,
  type NodeKind,
  type ServiceProviderRegistration,
  type Topology,
  type ValidatorRegistration,
  type VerifierRegistration,
} from "@nym-ts/directory-client";
import type { DirectoryStore, StoredPresence } from "./store.js";

/** The serialized topology and its ETag, rebuilt only when the set of live nodes or their routing data changes. */
export interface TopologySnapshot {
  /** UTF-8 JSON, kept as bytes so a response is a copy to the socket, not a re-encoding of 40+ kB of text. */
  body: Buffer;
  /** The same body gzipped once, for clients that accept it (Node's fetch does): about half the bytes. */
  gzipBody: Buffer;
  etag: string;
  /** ETag of the gzipped representation (a different representation gets a different strong tag). */
  gzipEtag: string;
  topology: Topology;
}

/**
 * The live registrations, kept in memory in front of the store (every write goes to SQLite first, so a restart
 * reloads exactly what was acknowledged). Reads of the topology are served from a cached body; a renewal that only
 * moves the expiry does not invalidate it, so polling clients keep getting 304s.
 */
export class PresenceBook {
  private readonly entries = new Map<string, StoredPresence>();
  private snapshot: TopologySnapshot | undefined;
  /** A lower bound on the earliest expiry: renewals only push expiries later, so it stays a safe bound. */
  private nextExpiry = Number.POSITIVE_INFINITY;
  /** Mixnodes and gateways that left (expired or deregistered), by identity key, with when; oldest first. */
  private readonly departed = new Map<string, number>();

  constructor(
    private readonly store: DirectoryStore,
    private readonly onChange: (kind: NodeKind, count: number) => void = () => {},
  ) {}

  /**
   * Loads what the store holds, dropping entries that expired while the directory was down and entries `keep`
   * refuses (registrations an older directory stored with keys this one refuses); returns how many were refused.
   */
  load(now: number, keep: (entry: StoredPresence) => boolean = () => true): number {
    this.store.deleteExpired(now);
    let refused = 0;
    for (const entry of this.store.loadPresence()) {
      if (!keep(entry)) {
        this.store.deletePresence(entry.kind, entry.identityKey);
        refused++;
        continue;
      }
      this.entries.set(keyOf(entry.kind, entry.identityKey), entry);
    }
    this.recomputeNextExpiry();
    this.snapshot = undefined;
    this.reportCounts();
    return refused;
  }

  get(kind: NodeKind, identityKey: string, now: number): StoredPresence | undefined {
    this.expire(now);
    return this.entries.get(keyOf(kind, identityKey));
  }

  list(kind: NodeKind, now: number): StoredPresence[] {
    this.expire(now);
    return [...this.entries.values()]
      .filter((entry) => entry.kind === kind)
      .sort((a, b) => compare(a.identityKey, b.identityKey));
  }

  /** Stores a registration or renewal; returns whether the node was absent before. */
  upsert(kind: NodeKind, node: AnyRegistration, now: number, ttlMs: number): { created: boolean; expiresAt: number } {
    this.expire(now);
    const key = keyOf(kind, node.identityKey);
    const previous = this.entries.get(key);
    const entry: StoredPresence = {
      kind,
      identityKey: node.identityKey,
      node,
      registeredAt: previous?.registeredAt ?? now,
      lastSeen: now,
      expiresAt: now + ttlMs,
    };
    this.store.upsertPresence(entry);
    this.entries.set(key, entry);
    this.nextExpiry = Math.min(this.nextExpiry, entry.expiresAt);
    if (previous === undefined || canonicalJson(previous.node) !== canonicalJson(node)) {
      this.snapshot = undefined;
    }
    if (previous === undefined) this.reportCounts();
    return { created: previous === undefined, expiresAt: entry.expiresAt };
  }

  remove(kind: NodeKind, identityKey: string, now: number): boolean {
    this.expire(now);
    const key = keyOf(kind, identityKey);
    if (!this.entries.has(key)) return false;
    this.store.deletePresence(kind, identityKey);
    this.entries.delete(key);
    this.recordDeparture(kind, identityKey, now);
    this.snapshot = undefined;
    this.reportCounts();
    return true;
  }

  /** Drops every entry whose expiry has passed, from memory and from the store. Cheap when nothing is due. */
  expire(now: number): void {
    if (now < this.nextExpiry) return;
    const removed = this.store.deleteExpired(now);
    let changed = removed.length > 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        this.recordDeparture(entry.kind, entry.identityKey, now);
        changed = true;
      }
    }
    this.recomputeNextExpiry();
    if (changed) {
      this.snapshot = undefined;
      this.reportCounts();
    }
  }

  topology(now: number): TopologySnapshot {
    this.expire(now);
    if (this.snapshot === undefined) this.snapshot = this.buildSnapshot();
    return this.snapshot;
  }

  /**
   * Whether a mixnode's metrics report may name `identityKey` as a neighbour: a live mixnode or gateway, or one that
   * left at most `graceMs` ago (the reporter's topology lags the directory's by up to its refresh period).
   */
  isMixnetPeer(identityKey: string, now: number, graceMs: number): boolean {
    this.expire(now);
    if (this.entries.has(keyOf("mixnode", identityKey)) || this.entries.has(keyOf("gateway", identityKey))) return true;
    const left = this.departed.get(identityKey);
    return left !== undefined && now - left <= graceMs;
  }

  count(kind: NodeKind): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.kind === kind) n++;
    return n;
  }

  private buildSnapshot(): TopologySnapshot {
    const sorted = [...this.entries.values()].sort((a, b) => compare(a.identityKey, b.identityKey));
    const of = <T>(kind: NodeKind) => sorted.filter((e) => e.kind === kind).map((e) => e.node as T);
    const mixnodes = of<MixnodeRegistration>("mixnode");
    const topology: Topology = {
      mixnodes: Array.from({ length: MIX_LAYERS }, (_, i) => ({
        layer: i + 1,
        nodes: mixnodes.filter((node) => node.layer === i + 1),
      })),
      gateways: of<GatewayRegistration>("gateway"),
      validators: of<ValidatorRegistration>("validator"),
      issuers: of<IssuerRegistration>("issuer"),
      verifiers: of<VerifierRegistration>("verifier"),
      serviceProviders: of<ServiceProviderRegistration>("service-provider"),
    };
    const body = Buffer.from(JSON.stringify(topology), "utf8");
    const tag = createHash("sha256").update(body).digest("base64url").slice(0, 27);
    return { body, gzipBody: gzipSync(body), etag: `"${tag}"`, gzipEtag: `"${tag}-gz"`, topology };
  }

  private recordDeparture(kind: NodeKind, identityKey: string, now: number): void {
    if (kind !== "mixnode" && kind !== "gateway") return;
    this.departed.delete(identityKey);
    this.departed.set(identityKey, now);
    // Bounded: the oldest departures go first (a Map iterates in insertion order).
    while (this.departed.size > DEPARTED_CAP) {
      const oldest = this.departed.keys().next().value as string;
      this.departed.delete(oldest);
    }
  }

  private recomputeNextExpiry(): void {
    let min = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) if (entry.expiresAt < min) min = entry.expiresAt;
    this.nextExpiry = min;
  }

  private reportCounts(): void {
    const counts = new Map<NodeKind, number>();
    for (const entry of this.entries.values()) counts.set(entry.kind, (counts.get(entry.kind) ?? 0) + 1);
    for (const kind of ["mixnode", "gateway", "validator", "issuer", "verifier", "service-provider"] as const) {
      this.onChange(kind, counts.get(kind) ?? 0);
    }
  }
}

/** Departures remembered for the neighbour check of metrics reports. */
const DEPARTED_CAP = 10_000;

function keyOf(kind: NodeKind, identityKey: string): string {
  return `${kind}/${identityKey}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
