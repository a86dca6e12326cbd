import rateLimit from "@fastify/rate-limit";
import { createHttpApp, daemonVersion, type HttpApp, type Logger, packageVersion } from "@nym-ts/common";
import { NODE_KINDS, type NodeKind } from "@nym-ts/directory-client";
import { Counter, Gauge } from "prom-client";
import type { DirectoryConfig } from "./config.js";
import { DirectoryError } from "./errors.js";
import { createPayloadKeyCheck, passesKeyCheck } from "./key-checks.js";
import { PresenceBook } from "./presence-book.js";
import type { RouteContext, RouteLimit } from "./routes/context.js";
import { explorerRoutes } from "./routes/explorer.js";
import { metricsRoutes } from "./routes/metrics.js";
import { presenceRoutes } from "./routes/presence.js";
import { topologyRoutes } from "./routes/topology.js";
import { createWriteAuthenticator } from "./signed-writes.js";
import type { DirectoryStore } from "./store.js";

/** The package version, with the commit the image was built from when `NYM_BUILD_COMMIT` is set (see the Dockerfile). */
export const DIRECTORY_VERSION = daemonVersion(packageVersion(import.meta.url));

export interface DirectoryAppOptions {
  config: DirectoryConfig;
  /** The process's root logger. */
  log: Logger;
  clock: () => number;
  store: DirectoryStore;
}

/**
 * Builds the directory's HTTP app: the common base (health, metrics, Swagger, error mapping), the directory's
 * Prometheus series, the rate limits and the signed-write checks, then one route plugin per resource (the presence
 * of each node kind, the topology, the mixnode metrics). Returns the ready app and the presence book it serves from.
 */
export async function buildDirectoryApp(options: DirectoryAppOptions): Promise<{ app: HttpApp; book: PresenceBook }> {
  const { config, clock, store } = options;
  const log = options.log.child({ module: "directory" });
  const windowMs = config.presence.timestampWindowSeconds * 1000;
  const created = await createHttpApp({
    log: options.log,
    service: "nym-directory",
    version: DIRECTORY_VERSION,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    healthChecks: { storage: () => ({ ok: store.ping() }) },
    openapi: {
      // 3.1: JSON Schema 2020-12, so the document can say what the keys of a metrics report's `sent` record are.
      version: "3.1.0",
      title: "Nym Directory API",
      description:
        "Presence (signed registrations with a TTL), mixnode metrics and the mixnet topology. Writes are signed " +
        "with the node's Ed25519 identity key over the canonical bytes described in docs/directory.md.",
    },
  });
  const app = created.app;
  try {
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
    const checkKeys = createPayloadKeyCheck();
    const refused = presenceBook.load(clock(), (entry) => passesKeyCheck(checkKeys, entry.kind, entry.node));
    if (refused > 0) log.warn({ refused }, "stored registrations with unusable keys dropped");

    app.addHook("onError", (_request, _reply, error, done) => {
      if (error instanceof DirectoryError) rejected.inc({ reason: error.code });
      else if ((error as { statusCode?: number }).statusCode === 400) rejected.inc({ reason: "VALIDATION" });
      done();
    });

    // Registered on the root before the route plugins, so its onRoute hook sees every route they declare.
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
    const authenticate = createWriteAuthenticator({
      store,
      clock,
      windowMs,
      perKeyLimit: (signerOf) =>
        app.createRateLimit({
          max: config.rateLimit.writesPerKeyPerMinute,
          timeWindow: 60_000,
          keyGenerator: (request) => `key:${signerOf(request) ?? request.ip}`,
        }),
    });
    const write: RouteLimit = {
      rateLimit: { max: config.rateLimit.writesPerAddressPerMinute, timeWindow: 60_000 },
    };
    const read: RouteLimit =
      config.rateLimit.readsPerAddressPerMinute > 0
        ? { rateLimit: { max: config.rateLimit.readsPerAddressPerMinute, timeWindow: 60_000 } }
        : {};
    const context: RouteContext = {
      config,
      log,
      clock,
      book: presenceBook,
      store,
      authenticate,
      checkKeys,
      accepted,
      limits: { read, write },
    };

    // One plugin per resource: the presence of each kind of node, the topology, the mixnode metrics.
    for (const kind of Object.keys(NODE_KINDS) as NodeKind[]) {
      await app.register(presenceRoutes, { ...context, kind, prefix: `/api/v1/presence/${NODE_KINDS[kind].path}` });
    }
    await app.register(topologyRoutes, { ...context, prefix: "/api/v1" });
    await app.register(metricsRoutes, { ...context, prefix: "/api/v1/metrics" });
    await app.register(explorerRoutes, { ...context, prefix: "/explorer" });
    await app.ready();
    return { app, book: presenceBook };
  } catch (error) {
    await app.close().catch(() => {});
    throw error;
  }
}
