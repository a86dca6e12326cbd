import { join } from "node:path";
import { type Address, connectChain } from "@nym-ts/chain-client";
import type { Params } from "@nym-ts/coconut";
import {
  type CreatedHttpApp,
  createHttpApp,
  daemonVersion,
  type HttpApp,
  type Logger,
  packageVersion,
  type Service,
} from "@nym-ts/common";
import { aggregatedVerificationKey, credentialParams, type ServiceProviderInfo } from "@nym-ts/credentials";
import {
  createDirectoryClient,
  type DirectoryClient,
  ed25519SignerFromSeed,
  type ServiceProviderRegistration,
} from "@nym-ts/directory-client";
import { MixClient } from "@nym-ts/mixnet-node";
import { Depositor, type SpendChain } from "./chain.js";
import type { ServiceProviderConfig } from "./config.js";
import { DecisionWatcher } from "./decisions.js";
import { readServiceProviderKeys, type ServiceProviderKeys } from "./keys.js";
import { createSpendMetrics, type SpendMetrics } from "./metrics.js";
import { type MixnetClientLike, MixnetEndpoint } from "./mixnet-endpoint.js";
import { DirectoryRegistration } from "./registration.js";
import { infoRoutes } from "./routes/info.js";
import { spendRoutes } from "./routes/spend.js";
import { SpendHandler, type SpendKeys } from "./spend-handler.js";
import { SpendStore } from "./store.js";

export const SERVICE_PROVIDER_VERSION = daemonVersion(packageVersion(import.meta.url));

/** A spend body is ~1.3 KB; SpendRequest allows Θ up to 16 KiB (32 KiB of hex). Anything larger gets 413. */
export const MAX_BODY_BYTES = 64 * 1024;

const GATEWAY_META = "mixnet_gateway";

export interface ServiceProviderModules {
  log: Logger;
  version?: string;
  /** The chain (tests pass a fake); else a ChainClient on `chain.rpcUrl`. */
  chain?: SpendChain;
  /** Coconut parameters (tests choose the backend); else `credentialParams()`. */
  params?: Params;
  /** The directory client registrations go to (tests); else one on `directory.url`. */
  directory?: DirectoryClient;
  /** Builds the mixnet client (tests); else a `MixClient` at the configured or picked gateway. */
  mixnetClient?: (options: { keys: ServiceProviderKeys; gateway: string }) => MixnetClientLike;
}

export interface ServiceProvider extends Service {
  /** The SP's chain address (after start). */
  readonly address: Address;
  /** The HTTP API's base URL, http://host:port (after start). */
  url(): string;
  readonly app: HttpApp;
  readonly metrics: SpendMetrics;
  readonly store: SpendStore;
  /** Resolves once the chain's verification key is loaded and spends are taken. */
  readonly ready: Promise<void>;
  /** The mixnet endpoint, when configured and started. */
  readonly mixnet: MixnetEndpoint | undefined;
  info(): ServiceProviderInfo;
}

/**
 * The service provider daemon: reads its keys from `dataDir`, serves `/v1/spend` and `/v1/info` (plus /health,
 * /metrics, /docs), loads the aggregated verification key from the chain's genesis (retrying until the chain
 * answers), follows the decision events, optionally serves spends over the mixnet and registers in the directory.
 */
export function createServiceProvider(config: ServiceProviderConfig, modules: ServiceProviderModules): ServiceProvider {
  const log = modules.log;
  const version = modules.version ?? SERVICE_PROVIDER_VERSION;
  let keys: ServiceProviderKeys | undefined;
  let store: SpendStore | undefined;
  let http: CreatedHttpApp | undefined;
  let metrics: SpendMetrics | undefined;
  let chain: SpendChain | undefined;
  let ownChain: { close(): void } | undefined;
  let decisions: DecisionWatcher | undefined;
  let spendKeys: SpendKeys | undefined;
  let mixnet: MixnetEndpoint | undefined;
  let registration: DirectoryRegistration | undefined;
  let mixnetGateway: string | undefined;
  let loadTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const startedAt = Date.now();

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`service provider not started: no ${what}`);
    return value;
  };

  function info(): ServiceProviderInfo {
    const k = need(keys, "keys");
    return { address: k.address, ...(mixnet ? { mixnetAddress: mixnet.address } : {}), version };
  }

  /** Loads the verification key from the chain; on failure retries with backoff until it works or the SP stops. */
  async function loadSpendKeys(attempt = 0): Promise<void> {
    const c = need(chain, "chain");
    try {
      const params = modules.params ?? (await credentialParams());
      const vk = aggregatedVerificationKey(params, await c.params());
      spendKeys = { params, vk };
    } catch (error) {
      if (stopped) return;
      const delay = Math.min(500 * 2 ** attempt, 10_000);
      log.warn({ err: error, retryInMs: delay }, "cannot load the verification key from the chain yet");
      loadTimer = setTimeout(() => {
        loadSpendKeys(attempt + 1).catch((cause) => log.error({ err: cause }, "starting to take spends failed"));
      }, delay);
      loadTimer.unref();
      return;
    }
    log.info(
      { address: need(keys, "keys").address, backend: spendKeys.params.backend.name },
      "verification key loaded; taking spends",
    );
    if (stopped) return;
    await need(decisions, "decisions").start();
    if (stopped) return;
    await reconcile();
    markReady();
  }

  /** Settles rows left undecided by an earlier run (a crash between claim and deposit, a timed-out wait). */
  async function reconcile(): Promise<void> {
    const s = need(store, "store");
    const c = need(chain, "chain");
    const own = need(keys, "keys").address;
    for (const row of s.unsettled()) {
      if (row.firstSeenAt >= startedAt) continue; // a spend of this run, still in progress
      try {
        const view = await c.zeta(row.zeta);
        const ours = view.sp?.toLowerCase() === own;
        if (view.status === "unknown") {
          if (row.status === "depositing") s.release(row.zeta);
          continue;
        }
        if (!ours) s.setStatus(row.zeta, "in_use");
        else if (row.status === "depositing" && view.depositTx) s.markDeposited(row.zeta, view.depositTx);
        if (ours && (view.status === "spent" || view.status === "released")) s.setStatus(row.zeta, view.status);
      } catch (error) {
        need(metrics, "metrics").chainErrors.inc({ where: "reconcile" });
        log.warn({ err: error }, "cannot reconcile an earlier deposit; will try at the next start");
      }
    }
  }

  async function pickGateway(): Promise<string> {
    const m = need(config.mixnet, "mixnet config");
    if (m.gateway) return m.gateway;
    const s = need(store, "store");
    const kept = s.getMeta(GATEWAY_META);
    if (kept) return kept;
    const result = await createDirectoryClient({ baseUrl: m.directoryUrl, timeoutMs: 5000 }).getTopology();
    const gateways = result.modified ? result.topology.gateways : [];
    if (gateways.length === 0) throw new Error("the directory lists no gateway for the SP's mailbox");
    const chosen = gateways[Math.floor(Math.random() * gateways.length)]?.identityKey as string;
    s.setMeta(GATEWAY_META, chosen);
    return chosen;
  }

  function registrationPayload(): ServiceProviderRegistration {
    const k = need(keys, "keys");
    const d = need(config.directory, "directory config");
    const gateway = mixnet ? mixnetGateway : undefined;
    return {
      identityKey: k.identityKey,
      ethereumAddress: k.address,
      apiUrl: d.apiUrl,
      ...(mixnet && gateway ? { gatewayIdentityKey: gateway, mixnetAddress: mixnet.address } : {}),
      version,
    };
  }

  const sp: ServiceProvider = {
    get address() {
      return need(keys, "keys").address;
    },
    get app() {
      return need(http, "HTTP app").app;
    },
    get metrics() {
      return need(metrics, "metrics");
    },
    get store() {
      return need(store, "store");
    },
    get mixnet() {
      return mixnet;
    },
    ready,
    info,
    url() {
      const address = need(http, "HTTP app").app.server.address();
      if (!address || typeof address === "string") throw new Error("the HTTP API is not listening");
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },

    async start() {
      keys = readServiceProviderKeys(config.dataDir);
      store = new SpendStore(join(config.dataDir, "service-provider.sqlite"), keys.address);
      if (modules.chain) chain = modules.chain;
      else {
        const client = await connectChain({ rpcUrl: config.chain.rpcUrl, log });
        chain = client;
        ownChain = client;
      }
      http = await createHttpApp({
        log,
        service: "nym-service-provider",
        version,
        bodyLimit: MAX_BODY_BYTES,
        openapi: {
          title: "nym-service-provider",
          description: "Spend Coconut credentials at this service provider (docs/service-provider.md)",
        },
        healthChecks: {
          chain: () =>
            spendKeys ? { ok: true } : { ok: false, detail: "the chain's verification key is not loaded yet" },
        },
      });
      metrics = createSpendMetrics(http.registry);
      const m = metrics;
      const s = store;
      const own = keys.address;
      decisions = new DecisionWatcher({
        chain,
        address: own,
        log: log.child({ module: "decisions" }),
        pollIntervalMs: config.spend.pollIntervalMs,
        onEvent: (zeta, status, sp) => s.observe(zeta, status, sp === own),
        onError: (where) => m.chainErrors.inc({ where }),
      });
      const spends = new SpendHandler({
        address: own,
        keys: () => spendKeys,
        store,
        depositor: new Depositor({
          chain,
          secretKey: keys.accountKey,
          address: own,
          log: log.child({ module: "deposit" }),
        }),
        decisions,
        metrics,
        log,
        decisionTimeoutMs: config.spend.decisionTimeoutMs,
      });
      const context = { spends, metrics, info };
      await http.app.register(spendRoutes, context);
      await http.app.register(infoRoutes, context);
      await http.app.listen({ host: config.http.host, port: config.http.port });
      log.info({ address: own, url: sp.url() }, "service provider listening");
      await loadSpendKeys();

      if (config.mixnet) {
        const gateway = await pickGateway();
        mixnetGateway = gateway;
        const k = keys;
        const client =
          modules.mixnetClient?.({ keys: k, gateway }) ??
          new MixClient(
            {
              identitySeed: k.identitySeed,
              encryptionSecret: k.encryptionSecret,
              gateway,
              directoryUrl: config.mixnet.directoryUrl,
              traffic: {
                lambdaP: config.mixnet.lambdaP,
                lambdaD: config.mixnet.lambdaD,
                lambdaL: config.mixnet.lambdaL,
                meanDelayMs: config.mixnet.meanDelayMs,
              },
            },
            { log: log.child({ module: "mix-client" }) },
          );
        const endpoint = new MixnetEndpoint({ client, spends, metrics, log });
        await endpoint.start();
        mixnet = endpoint;
      }
      if (config.directory) {
        registration = new DirectoryRegistration({
          directory: modules.directory ?? createDirectoryClient({ baseUrl: config.directory.url, timeoutMs: 5000 }),
          signer: ed25519SignerFromSeed(keys.identitySeed),
          payload: registrationPayload,
          intervalMs: config.directory.registerIntervalMs,
          log,
          onError: () => m.chainErrors.inc({ where: "directory" }),
        });
        await registration.start();
      }
    },

    async stop() {
      stopped = true;
      clearTimeout(loadTimer);
      registration?.stop();
      decisions?.stop();
      await mixnet?.stop();
      await http?.app.close();
      ownChain?.close();
      store?.close();
    },
  };
  return sp;
}
