import { join } from "node:path";
import { addressFromSecretKey, bytesToHex, type ChainClient, connectChain } from "@nym-ts/chain-client";
import { encodeVerificationKey, type Params, verificationKeyOf } from "@nym-ts/coconut";
import type { HttpApp, Logger, Service } from "@nym-ts/common";
import { credentialParams } from "@nym-ts/credentials";
import { createDirectoryClient, type DirectoryClient, ed25519SignerFromSeed } from "@nym-ts/directory-client";
import { buildIssuerApp } from "./app.js";
import { IssuerConfig, type IssuerConfigInput } from "./config.js";
import { type IssuerChain, type IssuerIdentity, RequestFollower } from "./follower.js";
import { defaultKeyPaths, readIssuerKeys } from "./keys.js";
import { type DirectoryRegistration, startDirectoryRegistration } from "./registration.js";
import { IssuerStore } from "./store.js";

export interface IssuerModules {
  log: Logger;
  /** Reported by /health, the OpenAPI document and the directory registration. */
  version?: string;
  /** The chain; default a `ChainClient` on `chain.rpcUrl` (closed on stop). */
  chain?: IssuerChain;
  /** Coconut params; default `credentialParams()` (the fastest backend: blst when built, else mcl). */
  params?: Params;
  /** The directory client; default one on `directory.url` when it is set. */
  directory?: Pick<DirectoryClient, "register">;
}

export interface Issuer extends Service {
  /** `http://host:port` of the API once started. */
  readonly url: string | undefined;
  readonly identity: IssuerIdentity | undefined;
  /** The issuer's database (read it, do not write it). */
  readonly store: IssuerStore | undefined;
  readonly follower: RequestFollower | undefined;
  readonly app: HttpApp | undefined;
  readonly registration: DirectoryRegistration | undefined;
  /** Resolves once every credential request delivered so far is decided. */
  idle(): Promise<void>;
}

/** The file of the issuer's SQLite database in its data directory. */
export const STORE_FILE = "issuer.sqlite";

/**
 * The issuing authority `nym-issuer`: reads its key files, checks that the chain's genesis names it (index, chain
 * address, verification key share), follows committed `credential_request` events from its checkpoint, blind-signs
 * the valid requests once each and serves the partials over HTTP; registers in the directory when configured.
 * See docs/issuer.md.
 */
export function createIssuer(input: IssuerConfigInput | IssuerConfig, modules: IssuerModules): Issuer {
  const config = IssuerConfig.parse(input);
  const log = modules.log.child({ module: "issuer" });
  const version = modules.version ?? "0.1.0";
  let url: string | undefined;
  let identity: IssuerIdentity | undefined;
  let store: IssuerStore | undefined;
  let follower: RequestFollower | undefined;
  let app: HttpApp | undefined;
  let registration: DirectoryRegistration | undefined;
  let ownChain: ChainClient | undefined;

  async function cleanup(): Promise<void> {
    registration?.stop();
    registration = undefined;
    await follower?.stop();
    follower = undefined;
    await app?.close();
    app = undefined;
    ownChain?.close();
    ownChain = undefined;
    store?.close();
    store = undefined;
  }

  return {
    get url() {
      return url;
    },
    get identity() {
      return identity;
    },
    get store() {
      return store;
    },
    get follower() {
      return follower;
    },
    get app() {
      return app;
    },
    get registration() {
      return registration;
    },
    idle: () => follower?.idle() ?? Promise.resolve(),

    async start() {
      if (app) return;
      try {
        const params = modules.params ?? (await credentialParams());
        const keyPaths = { ...defaultKeyPaths(config.dataDir), ...definedOnly(config.keys) };
        const keys = readIssuerKeys(params, keyPaths);
        const me: IssuerIdentity = {
          index: keys.coconut.index,
          address: addressFromSecretKey(keys.chainKey),
          verificationKey: `0x${bytesToHex(encodeVerificationKey(params, verificationKeyOf(params, keys.coconut)))}`,
        };
        identity = me;
        store = new IssuerStore(join(config.dataDir, STORE_FILE));
        let chain = modules.chain;
        if (!chain) {
          ownChain = await connectChain({ rpcUrl: config.chain.rpcUrl, log: modules.log });
          chain = ownChain;
        }

        const staleAfterMs = Math.max(15_000, 3 * config.chain.idleCheckpointMs);
        const created = await buildIssuerApp({
          log: modules.log,
          version,
          identity: me,
          store,
          http: config.http,
          healthChecks: {
            chain: () => {
              const s = follower?.status;
              if (!s) return { ok: false, detail: "not started" };
              const reachable = Date.now() - s.lastChainOkAt < staleAfterMs;
              const detail =
                `checkpoint ${s.checkpoint}, chain height ${s.chainHeight}, ` +
                `${reachable ? "reachable" : "unreachable"}, ${s.subscribed ? "following" : "not following"}` +
                (s.fatal ? `: ${s.fatal}` : "");
              return { ok: reachable && s.subscribed && !s.fatal, detail };
            },
            ...(config.directory.url === undefined
              ? {}
              : {
                  directory: () => {
                    const r = registration;
                    if (!r) return { ok: false, detail: "not registering" };
                    const live = r.expiresAt > Date.now();
                    return {
                      ok: live || r.failures === 0,
                      detail: live ? `registered until ${new Date(r.expiresAt).toISOString()}` : "not registered",
                    };
                  },
                }),
          },
        });
        app = created.app;

        follower = new RequestFollower({
          chain,
          store,
          params,
          secretKey: keys.coconut,
          identity: me,
          metrics: created.metrics,
          log: modules.log,
          crossCheck: config.chain.crossCheck,
          checkpointLagBlocks: config.chain.checkpointLagBlocks,
          idleCheckpointMs: config.chain.idleCheckpointMs,
          retryInitialMs: config.chain.retryInitialMs,
          retryMaxMs: config.chain.retryMaxMs,
        });
        await follower.start();

        await app.listen({ host: config.http.host, port: config.http.port });
        const address = app.server.address();
        if (address !== null && typeof address === "object") {
          url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
        }

        if (config.directory.url !== undefined) {
          const directory = modules.directory ?? createDirectoryClient({ baseUrl: config.directory.url });
          const signer = ed25519SignerFromSeed(keys.identitySeed);
          registration = startDirectoryRegistration({
            directory,
            signer,
            payload: {
              identityKey: signer.publicKey,
              apiUrl: config.directory.apiUrl ?? (url as string),
              ethereumAddress: me.address,
              issuerIndex: me.index,
              version,
            },
            log: modules.log,
            counter: created.metrics.registrations,
            retryMaxMs: config.chain.retryMaxMs,
          });
        }
        log.info(
          {
            index: me.index,
            address: me.address,
            url,
            backend: params.backend.name,
            crossCheck: config.chain.crossCheck,
          },
          "issuer started",
        );
      } catch (error) {
        await cleanup();
        throw error;
      }
    },

    async stop() {
      await cleanup();
    },
  };
}

/** The keys of `o` whose value is defined (so optional config keys do not override defaults with undefined). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
