import type { AddressInfo } from "node:net";
import rateLimit from "@fastify/rate-limit";
import { createHttpApp, type HttpApp, HttpError, HttpErrorBody, type Logger, type Service } from "@nym-ts/common";
import {
  DeregistrationBody,
  DeregistrationResult,
  Ed25519PublicKey,
  isValidEd25519PublicKey,
  MetricsAccepted,
  MetricsTotals,
  MixnodeMetricsOverview,
  MixnodeMetricsReport,
  NODE_KINDS,
  type NodeKind,
  NodeMetricsHistory,
  type NodeMetricsSummary,
  presence,
  RegistrationResult,
  type SigningPurpose,
  signed,
  signingBytes,
  Topology,
  verifyEd25519,
} from "@nym-ts/directory-client";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Counter, Gauge } from "prom-client";
import { z } from "zod";
import { DirectoryConfig, type DirectoryConfigInput } from "./config.js";
import { PresenceBook } from "./presence-book.js";
import { type DirectoryStore, openSqliteStore } from "./store.js";

/** The package version, with the commit the image was built from when `NYM_BUILD_COMMIT` is set (see the Dockerfile). */
export const DIRECTORY_VERSION = `0.1.0${process.env.NYM_BUILD_COMMIT ? `+${process.env.NYM_BUILD_COMMIT}` : ""}`;

export type DirectoryErrorCode =
  | "DIRECTORY_ERROR_INVALID_KEY"
  | "DIRECTORY_ERROR_TIMESTAMP_OUT_OF_WINDOW"
  | "DIRECTORY_ERROR_BAD_SIGNATURE"
  | "DIRECTORY_ERROR_REPLAY"
  | "DIRECTORY_ERROR_NOT_FOUND"
  | "DIRECTORY_ERROR_NOT_REGISTERED"
  | "DIRECTORY_ERROR_RATE_LIMITED";

export class DirectoryError extends HttpError<DirectoryErrorCode> {}

export interface DirectoryModules {
  log: Logger;
  /** Unix ms; injected by tests to move time. Date.now otherwise. */
  clock?: () => number;
  /** Another store (tests); the SQLite file at `storage.path` otherwise. */
  store?: DirectoryStore;
}

export interface Directory extends Service {
  /** The Fastify app, available once `start` (or `ready`) resolved; tests drive it with `app.inject`. */
  readonly app: HttpApp;
  /** Builds the app without listening (for `inject`); `start` calls it. */
  ready(): Promise<void>;
  /** `http://host:port` once listening. */
  url(): string;
  /** Runs the periodic cleanup now (expired registrations, old metrics, stale replay barriers). */
  sweep(): void;
}

/**
 * The Nym directory: nodes register signed presence (renewed within the TTL), mixnodes post signed metrics, and
 * clients fetch the topology. See `docs/directory.md`.
 */
export function createDirectory(options: DirectoryConfigInput, modules: DirectoryModules): Directory {
  const config = DirectoryConfig.parse(options);
  const log = modules.log.child({ module: "directory" });
  const clock = modules.clock ?? Date.now;
  const windowMs = config.presence.timestampWindowSeconds * 1000;
  const ttlMs = config.presence.ttlSeconds * 1000;
  let store: DirectoryStore | undefined;
  let app: HttpApp | undefined;
  let book: PresenceBook | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let building: Promise<void> | undefined;
  let listening = false;
  const validKeys = new Set<string>();

  async function build(): Promise<void> {
    store = modules.store ?? openSqliteStore(config.storage.path);
    const created = await createHttpApp({
      log: modules.log,
      service: "nym-directory",
      version: DIRECTORY_VERSION,
      bodyLimit: config.http.bodyLimitBytes,
      trustProxy: config.http.trustProxy,
      healthChecks: { storage: () => ({ ok: store?.ping() ?? false }) },
      openapi: {
        title: "Nym Directory API",
        description:
          "Presence (signed registrations with a TTL), mixnode metrics and the mixnet topology. Writes are signed " +
          "with the node's Ed25519 identity key over the canonical bytes described in docs/directory.md.",
      },
    });
    app = created.app;
    const registry = created.registry;
    const rejected = new Counter({
      name: "nym_directory_rejected_total",
      help: "Signed writes rejected, by reason",
      labelNames: ["reason"] as const,
      registers: [registry],
    });
    const accepted = new Counter({
      name: "nym_directory_writes_total",
      help: "Signed writes accepted, by action",
      labelNames: ["action"] as const,
      registers: [registry],
    });
    const live = new Gauge({
      name: "nym_directory_nodes",
      help: "Live registrations, by kind",
      labelNames: ["kind"] as const,
      registers: [registry],
    });
    const presenceBook = new PresenceBook(store, (kind, count) => live.set({ kind }, count));
    book = presenceBook;
    presenceBook.load(clock());
    const db = store;

    app.addHook("onError", (_request, _reply, error, done) => {
      if (error instanceof DirectoryError) rejected.inc({ reason: error.code });
      else if ((error as { statusCode?: number }).statusCode === 400) rejected.inc({ reason: "VALIDATION" });
      done();
    });

    await app.register(rateLimit, {
      global: false,
      timeWindow: 60_000,
      errorResponseBuilder: (_request, context) =>
        new DirectoryError(
          429,
          "DIRECTORY_ERROR_RATE_LIMITED",
          `rate limit exceeded, retry in ${Math.ceil(context.ttl / 1000)} s`,
        ),
    });
    const signerOf = new WeakMap<FastifyRequest, string>();
    const perKey = app.createRateLimit({
      max: config.rateLimit.writesPerKeyPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => `key:${signerOf.get(request) ?? request.ip}`,
    });
    type LimitConfig = { rateLimit?: { max: number; timeWindow: number } };
    const writeLimit: LimitConfig = {
      rateLimit: { max: config.rateLimit.writesPerAddressPerMinute, timeWindow: 60_000 },
    };
    const readLimit: LimitConfig =
      config.rateLimit.readsPerAddressPerMinute > 0
        ? { rateLimit: { max: config.rateLimit.readsPerAddressPerMinute, timeWindow: 60_000 } }
        : {};

    /** Checks key, time, signature and freshness, in that order, then records the timestamp as the new barrier. */
    async function authenticate(
      request: FastifyRequest,
      identityKey: string,
      purpose: SigningPurpose,
      timestamp: number,
      payload: unknown,
      signature: string,
    ): Promise<void> {
      if (!validKeys.has(identityKey)) {
        if (!isValidEd25519PublicKey(identityKey)) {
          throw new DirectoryError(
            400,
            "DIRECTORY_ERROR_INVALID_KEY",
            "identityKey: not a valid Ed25519 public key (non-canonical or small order)",
          );
        }
        if (validKeys.size >= 100_000) validKeys.clear();
        validKeys.add(identityKey);
      }
      const now = clock();
      if (Math.abs(timestamp - now) > windowMs) {
        throw new DirectoryError(
          401,
          "DIRECTORY_ERROR_TIMESTAMP_OUT_OF_WINDOW",
          `timestamp: ${timestamp} is more than ${windowMs} ms from the directory's clock`,
        );
      }
      if (!verifyEd25519(identityKey, signingBytes(purpose, timestamp, payload), signature)) {
        throw new DirectoryError(401, "DIRECTORY_ERROR_BAD_SIGNATURE", "signature: does not verify for identityKey");
      }
      const last = db.lastTimestamp(identityKey);
      if (last !== undefined && timestamp <= last) {
        throw new DirectoryError(
          401,
          "DIRECTORY_ERROR_REPLAY",
          "timestamp: not newer than the last accepted message from this key (replay)",
        );
      }
      db.setLastTimestamp(identityKey, timestamp);
      signerOf.set(request, identityKey);
      const limit = await perKey(request);
      if (!limit.isAllowed && limit.isExceeded) {
        throw new DirectoryError(429, "DIRECTORY_ERROR_RATE_LIMITED", "too many writes for this identity key");
      }
    }

    const errors = { 400: HttpErrorBody, 401: HttpErrorBody, 413: HttpErrorBody, 429: HttpErrorBody };
    const IdentityParams = z.strictObject({ identityKey: Ed25519PublicKey });

    for (const kind of Object.keys(NODE_KINDS) as NodeKind[]) {
      const { path, schema, title } = NODE_KINDS[kind];
      const tags = ["presence"];

      app.post(
        `/api/v1/presence/${path}`,
        {
          config: writeLimit,
          schema: {
            operationId: `register${title}`,
            tags,
            summary: `Register or renew a ${kind} (signed by its identity key)`,
            body: signed(schema),
            response: { 200: RegistrationResult, ...errors },
          },
        },
        async (request) => {
          const { payload, timestamp, signature } = request.body;
          await authenticate(request, payload.identityKey, `register:${kind}`, timestamp, payload, signature);
          const { created, expiresAt } = presenceBook.upsert(kind, payload, clock(), ttlMs);
          accepted.inc({ action: `register:${kind}` });
          if (created) log.info({ kind, identityKey: payload.identityKey }, "node registered");
          return { kind, identityKey: payload.identityKey, created, expiresAt, ttlSeconds: config.presence.ttlSeconds };
        },
      );

      app.delete(
        `/api/v1/presence/${path}/:identityKey`,
        {
          config: writeLimit,
          schema: {
            operationId: `deregister${title}`,
            tags,
            summary: `Remove a ${kind} before its registration expires (signed by its identity key)`,
            params: IdentityParams,
            body: DeregistrationBody,
            response: { 200: DeregistrationResult, 404: HttpErrorBody, ...errors },
          },
        },
        async (request) => {
          const { identityKey } = request.params;
          const { timestamp, signature } = request.body;
          await authenticate(request, identityKey, `deregister:${kind}`, timestamp, { identityKey }, signature);
          if (!presenceBook.remove(kind, identityKey, clock())) {
            throw new DirectoryError(404, "DIRECTORY_ERROR_NOT_FOUND", `no live ${kind} with this identityKey`);
          }
          accepted.inc({ action: `deregister:${kind}` });
          log.info({ kind, identityKey }, "node deregistered");
          return { kind, identityKey, removed: true as const };
        },
      );

      app.get(
        `/api/v1/presence/${path}`,
        {
          config: readLimit,
          schema: {
            operationId: `list${title}s`,
            tags,
            summary: `Live ${kind} registrations with their times`,
            response: { 200: z.object({ nodes: z.array(presence(schema)) }), 429: HttpErrorBody },
          },
        },
        async () => ({
          nodes: presenceBook.list(kind, clock()).map(({ node, registeredAt, lastSeen, expiresAt }) => ({
            node,
            registeredAt,
            lastSeen,
            expiresAt,
          })),
        }),
      );

      app.get(
        `/api/v1/presence/${path}/:identityKey`,
        {
          config: readLimit,
          schema: {
            operationId: `get${title}`,
            tags,
            summary: `One live ${kind} registration`,
            params: IdentityParams,
            response: { 200: presence(schema), 400: HttpErrorBody, 404: HttpErrorBody, 429: HttpErrorBody },
          },
        },
        async (request) => {
          const entry = presenceBook.get(kind, request.params.identityKey, clock());
          if (entry === undefined) {
            throw new DirectoryError(404, "DIRECTORY_ERROR_NOT_FOUND", `no live ${kind} with this identityKey`);
          }
          return {
            node: entry.node,
            registeredAt: entry.registeredAt,
            lastSeen: entry.lastSeen,
            expiresAt: entry.expiresAt,
          };
        },
      );
    }

    app.get(
      "/api/v1/topology",
      {
        config: readLimit,
        schema: {
          operationId: "getTopology",
          tags: ["topology"],
          summary: "The live network as a client routes over it; send If-None-Match to get 304 when unchanged",
          headers: z.looseObject({ "if-none-match": z.string().max(1024).optional() }),
          response: {
            200: Topology,
            304: z.null().describe("Not modified: the If-None-Match ETag is current; no body"),
            429: HttpErrorBody,
          },
        },
      },
      (request, typedReply): void => {
        // The typed reply only knows the schema's statuses and body type; this route also sends 304 and a
        // pre-serialized body.
        const reply = typedReply as unknown as FastifyReply;
        const snapshot = presenceBook.topology(clock());
        const gzip = acceptsGzip(request.headers["accept-encoding"]);
        const etag = gzip ? snapshot.gzipEtag : snapshot.etag;
        reply.header("etag", etag).header("cache-control", "no-cache").header("vary", "accept-encoding");
        const ifNoneMatch = request.headers["if-none-match"];
        if (matchesEtag(ifNoneMatch, snapshot.etag) || matchesEtag(ifNoneMatch, snapshot.gzipEtag)) {
          reply.code(304).send();
          return;
        }
        // The cached body is already the JSON of a schema-checked Topology, as bytes (and gzipped once): re-serializing
        // or re-encoding it per request would cost most of the route's time.
        reply.type("application/json; charset=utf-8");
        if (gzip) reply.header("content-encoding", "gzip");
        reply.send(gzip ? snapshot.gzipBody : snapshot.body);
      },
    );

    const metricsTags = ["metrics"];
    app.post(
      "/api/v1/metrics/mixnodes",
      {
        config: writeLimit,
        schema: {
          operationId: "reportMixnodeMetrics",
          tags: metricsTags,
          summary: "A registered mixnode reports its counters for the last interval (signed)",
          body: signed(MixnodeMetricsReport),
          response: { 201: MetricsAccepted, 403: HttpErrorBody, ...errors },
        },
      },
      async (request, reply) => {
        const { payload, timestamp, signature } = request.body;
        await authenticate(request, payload.identityKey, "metrics:mixnode", timestamp, payload, signature);
        const now = clock();
        if (presenceBook.get("mixnode", payload.identityKey, now) === undefined) {
          throw new DirectoryError(403, "DIRECTORY_ERROR_NOT_REGISTERED", "identityKey: not a live mixnode");
        }
        db.insertMetrics(
          {
            identityKey: payload.identityKey,
            timestamp,
            receivedAt: now,
            received: payload.received,
            sent: payload.sent,
            dropped: payload.dropped,
            intervalMs: payload.intervalMs,
          },
          config.metrics.maxReportsPerNode,
        );
        accepted.inc({ action: "metrics:mixnode" });
        return reply.code(201).send({ nextReportInMs: config.metrics.reportIntervalSeconds * 1000 });
      },
    );

    const windowOf = () => clock() - config.metrics.windowSeconds * 1000;
    const summarize = () => {
      const byNode = new Map<string, NodeMetricsSummary>();
      for (const report of db.metricsSince(windowOf())) {
        let summary = byNode.get(report.identityKey);
        if (summary === undefined) {
          summary = {
            identityKey: report.identityKey,
            received: 0,
            sent: 0,
            dropped: 0,
            reports: 0,
            lastReportAt: report.receivedAt,
          };
          byNode.set(report.identityKey, summary);
        }
        summary.received += report.received;
        summary.sent += Object.values(report.sent).reduce((a, b) => a + b, 0);
        summary.dropped += report.dropped;
        summary.reports += 1;
        summary.lastReportAt = Math.max(summary.lastReportAt, report.receivedAt);
      }
      const nodes = [...byNode.values()].sort((a, b) => (a.identityKey < b.identityKey ? -1 : 1));
      const totals = { received: 0, sent: 0, dropped: 0, reports: 0, nodes: nodes.length };
      for (const node of nodes) {
        totals.received += node.received;
        totals.sent += node.sent;
        totals.dropped += node.dropped;
        totals.reports += node.reports;
      }
      return { nodes, totals };
    };

    app.get(
      "/api/v1/metrics/mixnodes",
      {
        config: readLimit,
        schema: {
          operationId: "getMixnodeMetrics",
          tags: metricsTags,
          summary: "Per-mixnode sums over the recent window, and network totals",
          response: { 200: MixnodeMetricsOverview, 429: HttpErrorBody },
        },
      },
      async () => ({ windowMs: config.metrics.windowSeconds * 1000, ...summarize() }),
    );

    app.get(
      "/api/v1/metrics/mixnodes/:identityKey",
      {
        config: readLimit,
        schema: {
          operationId: "getMixnodeMetricsHistory",
          tags: metricsTags,
          summary: "A mixnode's retained reports, newest first",
          params: IdentityParams,
          querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: { 200: NodeMetricsHistory, 400: HttpErrorBody, 429: HttpErrorBody },
        },
      },
      async (request) => {
        const since = clock() - config.metrics.retentionSeconds * 1000;
        const reports = db
          .nodeMetrics(request.params.identityKey, since, request.query.limit)
          .map(({ identityKey: _, ...report }) => report);
        return { identityKey: request.params.identityKey, reports };
      },
    );

    app.get(
      "/api/v1/metrics/totals",
      {
        config: readLimit,
        schema: {
          operationId: "getMetricsTotals",
          tags: metricsTags,
          summary: "Network totals over the recent window",
          response: { 200: MetricsTotals, 429: HttpErrorBody },
        },
      },
      async () => summarize().totals,
    );

    await app.ready();
  }

  function sweep(): void {
    if (book === undefined || store === undefined) return;
    const now = clock();
    book.expire(now);
    store.pruneMetrics(now - config.metrics.retentionSeconds * 1000);
    // A key silent for longer than the window can only send timestamps newer than its last one anyway.
    store.pruneSigners(now - 2 * windowMs);
  }

  const ready = (): Promise<void> => {
    building ??= build();
    return building;
  };

  return {
    get app(): HttpApp {
      if (app === undefined) throw new Error("directory not started: call start() or ready() first");
      return app;
    },
    ready,
    sweep,
    url() {
      const address = app?.server.address() as AddressInfo | null | undefined;
      if (!listening || !address) throw new Error("directory not listening");
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
    async start() {
      await ready();
      await app?.listen({ host: config.http.host, port: config.http.port });
      listening = true;
      sweeper = setInterval(() => {
        try {
          sweep();
        } catch (error) {
          log.error({ err: error }, "sweep failed");
        }
      }, config.presence.sweepIntervalSeconds * 1000);
      sweeper.unref();
      log.info({ url: this.url(), storage: config.storage.path }, "directory listening");
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      try {
        if (building) await building.catch(() => {});
        await app?.close();
      } finally {
        listening = false;
        if (modules.store === undefined) store?.close();
      }
    },
  };
}

/** Whether Accept-Encoding lists gzip without q=0. */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "x-gzip") return false;
    return !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

/** RFC 9110 If-None-Match: `*`, or a comma-separated list of (possibly weak) entity tags. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
