import { type CreatedHttpApp, createHttpApp, type HealthCheck, type Logger } from "@nym-ts/common";
import type { IssuerIdentity } from "./follower.js";
import { createIssuerMetrics, type IssuerMetrics } from "./metrics.js";
import type { RouteContext } from "./routes/context.js";
import { partialCredentialRoutes } from "./routes/partial-credentials.js";
import { verificationKeyRoutes } from "./routes/verification-key.js";
import type { IssuerStore } from "./store.js";

export interface IssuerAppOptions {
  /** The process's root logger. */
  log: Logger;
  version: string;
  identity: IssuerIdentity;
  store: IssuerStore;
  http?: { bodyLimitBytes?: number; trustProxy?: boolean };
  healthChecks?: Record<string, HealthCheck>;
}

/**
 * The issuer's HTTP app: the common base (request ids, error mapping, /health, /metrics, Swagger at /docs) with the
 * issuer's Prometheus series and one route plugin per resource (partial credentials, verification key).
 */
export async function buildIssuerApp(options: IssuerAppOptions): Promise<CreatedHttpApp & { metrics: IssuerMetrics }> {
  const created = await createHttpApp({
    log: options.log,
    service: "nym-issuer",
    version: options.version,
    bodyLimit: options.http?.bodyLimitBytes ?? 4_096,
    trustProxy: options.http?.trustProxy ?? false,
    healthChecks: { storage: () => ({ ok: options.store.ping() }), ...options.healthChecks },
    openapi: {
      title: "Nym Issuer API",
      description:
        "A Coconut issuing authority: it blind-signs the credential requests committed on the Nym chain with its " +
        "key share and serves the partial credentials, which only the requester can unblind. See docs/issuer.md.",
    },
  });
  try {
    const metrics = createIssuerMetrics(created.registry);
    const context: RouteContext = { identity: options.identity, store: options.store };
    await created.app.register(partialCredentialRoutes, context);
    await created.app.register(verificationKeyRoutes, context);
    await created.app.ready();
    return { ...created, metrics };
  } catch (error) {
    await created.app.close();
    throw error;
  }
}
