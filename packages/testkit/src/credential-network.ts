import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Address,
  type AppState,
  type AppStateInput,
  addressFromSecretKey,
  appStateSchema,
  bytesToHex,
  type ChainClient,
  connectChain,
  randomSecretKey,
} from "@nym-ts/chain-client";
import { createLogger, type Logger, writeKeyFile } from "@nym-ts/common";
import { createJsonRpcProvider, deployNymToken, nymToken, parseNym } from "@nym-ts/contracts";
import { credentialParams, dealIssuerKeys } from "@nym-ts/credentials";
import { createDirectory, type Directory } from "@nym-ts/directory";
import { createDirectoryClient, type NodeKind } from "@nym-ts/directory-client";
import { createWatcherDaemon, DaemonConfigSchema } from "@nym-ts/ethereum-watcher";
import { createIssuer, defaultKeyPaths, type Issuer, initIssuerKeys } from "@nym-ts/issuer";
import {
  createServiceProvider,
  initServiceProviderKeys,
  type ServiceProvider,
  ServiceProviderConfigSchema,
} from "@nym-ts/service-provider";
import { createVerifier, initVerifierKeys, keyPaths, readChainKey, type Verifier } from "@nym-ts/verifier";
import { type JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { type Anvil, startAnvil } from "./anvil.js";
import { type LoopbackMixnet, type LoopbackMixnetOptions, startLoopbackMixnet } from "./loopback-mixnet.js";
import { startTestnet, type Testnet } from "./testnet.js";

export interface CredentialNetworkOptions {
  /** Where everything goes; default a fresh temporary directory, removed by `stop()`. */
  dir?: string;
  /** Seconds between anvil blocks (default 1; fractions allowed). */
  anvilBlockTime?: number;
  /** The watchers' confirmations (default 1). */
  watcherConfirmations?: number;
  /** Issuers and their threshold t (default 3 and 2). */
  issuers?: number;
  issuerThreshold?: number;
  /** Verifiers and their threshold (default 3 and 2). */
  verifiers?: number;
  verifierThreshold?: number;
  /** Service providers (default 1). */
  serviceProviders?: number;
  /**
   * Issuers (share indices) started with a Coconut share that is not theirs: the chain's genesis holds the right
   * verification key, the issuer signs with another dealing's share of the same index (it is shown a genesis with
   * that share's key, so it starts). Clients must detect and skip its partials.
   */
  wrongShareIssuers?: number[];
  /** Also run a loopback mixnet (its directory is then the network's) and give the SPs a mixnet endpoint. */
  mixnet?: boolean | LoopbackMixnetOptions;
  /** Log of the in-process daemons (default silent). */
  log?: Logger;
  /** Log level of the validators' ledger processes (default "warn"). */
  appLogLevel?: string;
  /** Extra genesis balances on the Nym chain. */
  accounts?: { address: Address; balance: string }[];
}

/** A daemon of the network that a test can stop and start again (same keys and data directory). */
export interface NetworkDaemon {
  readonly name: string;
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface NetworkIssuer extends NetworkDaemon {
  index: number;
  address: Address;
  /** Its API URL (changes when it is restarted: it binds a fresh port). */
  readonly url: string;
  readonly issuer: Issuer;
  /** True for an issuer started with a wrong share (`wrongShareIssuers`). */
  wrongShare: boolean;
}

export interface NetworkServiceProvider extends NetworkDaemon {
  address: Address;
  url: string;
  /** Its mixnet address, with `mixnet`. */
  readonly mixnetAddress: string | undefined;
  readonly service: ServiceProvider;
}

export interface CredentialNetwork {
  dir: string;
  testnet: Testnet;
  anvil: Anvil;
  /** The validator clients use (one no daemon of the network talks to). */
  chainRpcUrl: string;
  /** A chain client on `chainRpcUrl` (closed by `stop()`). */
  chain: ChainClient;
  appState: AppState;
  ethereum: {
    rpcUrl: string;
    chainId: number;
    tokenAddress: string;
    pipeAccount: string;
    deployBlock: number;
    /** The watchers' confirmations and anvil's block time (seconds): the floor of a payment's credit. */
    confirmations: number;
    blockTime: number;
  };
  directoryUrl: string;
  directory: Directory;
  watchers: NetworkDaemon[];
  issuers: NetworkIssuer[];
  verifiers: NetworkDaemon[];
  serviceProviders: NetworkServiceProvider[];
  mixnet: LoopbackMixnet | undefined;
  /** Gives `address` NYM (ERC20, base units) and ETH (wei, for gas) on anvil; resolves once both are mined. */
  fund(address: string, amounts: { nym?: bigint; eth?: bigint }): Promise<void>;
  /** Resolves once the directory lists `count` live registrations of `kind`. */
  waitForRegistrations(kind: NodeKind, count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address !== "object") throw new Error("no port");
  return address.port;
}

/** A daemon wrapper: `make()` builds a fresh instance for each start (same config, keys and data directory). */
function daemon<T extends { start(): Promise<void>; stop(): Promise<void> }>(
  name: string,
  make: () => T,
  afterStart?: (instance: T) => Promise<void>,
): NetworkDaemon & { readonly instance: T } {
  let instance = make();
  let running = false;
  return {
    name,
    get running() {
      return running;
    },
    get instance() {
      return instance;
    },
    async start() {
      if (running) return;
      instance = make();
      await instance.start();
      running = true;
      await afterStart?.(instance);
    },
    async stop() {
      if (!running) return;
      running = false;
      await instance.stop();
    },
  };
}

/**
 * The whole credential flow on loopback, every part real: anvil with the NYM token, a 4-validator CometBFT testnet
 * whose genesis names 3 watchers (threshold 2), the issuers (t of n, keys from `dealIssuerKeys`), the verifiers and
 * the pipe account; the watcher, issuer, verifier and SP daemons in this process through their libraries (issuers
 * and SPs registered in a directory); optionally a loopback mixnet with the SPs reachable through it. Clients talk to
 * validator 3, which no daemon uses.
 *
 * @example
 * const net = await startCredentialNetwork({ mixnet: true });
 * await net.fund(clientAddress, { nym: 10_000_000n, eth: 10n ** 18n });
 * // ... nymclient credential init --chain net.chainRpcUrl --ethereum net.ethereum.rpcUrl ... --directory net.directoryUrl
 * await net.stop();
 */
export async function startCredentialNetwork(options: CredentialNetworkOptions = {}): Promise<CredentialNetwork> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "cred-net-"));
  mkdirSync(dir, { recursive: true });
  const log = options.log ?? createLogger({ name: "credential-network", level: "silent" });
  const issuerCount = options.issuers ?? 3;
  const issuerThreshold = options.issuerThreshold ?? 2;
  const verifierCount = options.verifiers ?? 3;
  const verifierThreshold = options.verifierThreshold ?? 2;
  const confirmations = options.watcherConfirmations ?? 1;
  const blockTime = options.anvilBlockTime ?? 1;
  const wrong = new Set(options.wrongShareIssuers ?? []);

  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.warn({ err: error }, "cleanup failed");
      }
    }
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    // Keys: the dealer's shares (and a second dealing for wrong shares), the chain accounts of every daemon.
    const params = await credentialParams();
    const dealt = dealIssuerKeys(params, issuerThreshold, issuerCount);
    const otherDealing = wrong.size > 0 ? dealIssuerKeys(params, issuerThreshold, issuerCount) : undefined;
    const watcherKeys = [0, 1, 2].map(() => randomSecretKey());
    const verifierDirs = Array.from({ length: verifierCount }, (_, i) => join(dir, `verifier${i}`));
    const verifierAddresses = verifierDirs.map((dataDir) => {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      return initVerifierKeys(keyPaths(dataDir)).address as Address;
    });
    const issuerDirs = dealt.keys.map((k) => join(dir, `issuer${k.index}`));
    const issuerPublic = dealt.keys.map((k, i) => {
      const dataDir = issuerDirs[i] as string;
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const paths = defaultKeyPaths(dataDir);
      const share = wrong.has(k.index) ? (otherDealing?.keys[i] ?? k) : k;
      writeKeyFile(paths.coconutKeyFile, share.secretKey);
      return { ...initIssuerKeys(paths), index: k.index, verificationKey: k.verificationKey, shown: share };
    });
    const pipeAccount = addressFromSecretKey(randomSecretKey());
    const appStateInput: AppStateInput = {
      pipeAccount,
      watchers: { threshold: 2, members: watcherKeys.map((k) => addressFromSecretKey(k)) },
      verifiers: { threshold: verifierThreshold, members: verifierAddresses },
      issuers: {
        threshold: issuerThreshold,
        members: issuerPublic.map((p) => ({
          address: p.address as Address,
          index: p.index,
          verificationKey: p.verificationKey,
        })),
      },
      accounts: options.accounts ?? [],
    };
    const appState = appStateSchema.parse(appStateInput);

    // Ethereum and the chain start side by side.
    const [anvil, testnet] = await Promise.all([
      startAnvil({ blockTime }),
      startTestnet({
        validators: 4,
        dir: join(dir, "testnet"),
        appState: appStateInput,
        appLogLevel: options.appLogLevel ?? "warn",
      }),
    ]);
    cleanups.push(() => testnet.stop());
    cleanups.push(() => anvil.stop());
    const provider: JsonRpcProvider = createJsonRpcProvider(anvil.url, anvil.chainId, 100);
    cleanups.push(() => provider.destroy());
    const deployer = new NonceManager(new Wallet(anvil.devKeys[0] as string, provider));
    const token = await deployNymToken(deployer, parseNym("1000000000"));
    await testnet.waitForHeight(2);
    const rpc = (i: number) => testnet.rpcUrls[i % 3] as string;
    const chainRpcUrl = testnet.rpcUrls[3] as string;
    const chain = await connectChain({ rpcUrl: chainRpcUrl });
    cleanups.push(() => chain.close());

    // The directory: the mixnet's when there is one.
    let mixnet: LoopbackMixnet | undefined;
    let directory: Directory;
    if (options.mixnet) {
      mixnet = await startLoopbackMixnet({
        dir: join(dir, "mixnet"),
        log,
        ...(typeof options.mixnet === "object" ? options.mixnet : {}),
      });
      cleanups.push(() => mixnet?.stop());
      directory = mixnet.directory;
    } else {
      directory = createDirectory(
        {
          http: { port: 0 },
          storage: { path: join(dir, "directory.sqlite") },
          rateLimit: { writesPerKeyPerMinute: 100_000, writesPerAddressPerMinute: 1_000_000 },
        },
        { log },
      );
      await directory.start();
      cleanups.push(() => directory.stop());
    }
    const directoryUrl = directory.url();
    const directoryClient = createDirectoryClient({ baseUrl: directoryUrl });

    // Watchers: three, on validators 0..2.
    const watchers = watcherKeys.map((key, i) => {
      const keyFile = join(dir, `watcher${i}.key`);
      writeKeyFile(keyFile, bytesToHex(key));
      const config = DaemonConfigSchema.parse({
        ethereum: {
          rpcUrl: anvil.url,
          chainId: anvil.chainId,
          tokenAddress: token.address,
          pipeAccount,
          confirmations,
          startBlock: token.blockNumber,
          pollIntervalMs: 100,
        },
        chain: { rpcUrl: rpc(i), keyFile },
        dataDir: join(dir, `watcher${i}`),
        notify: { retryInitialMs: 100, retryMaxMs: 1_000 },
        http: { host: "127.0.0.1", port: 0 },
        log: { level: "silent" },
      });
      return daemon(`watcher${i}`, () => createWatcherDaemon(config, { log: log.child({ watcher: i }) }));
    });
    for (const w of watchers) {
      cleanups.push(() => w.stop());
      await w.start();
    }

    // Issuers, each on its validator; a wrong-share issuer is shown a genesis holding its share's key.
    const issuers: NetworkIssuer[] = issuerPublic.map((p, i) => {
      const isWrong = wrong.has(p.index);
      const make = (): Issuer => {
        const modules: Parameters<typeof createIssuer>[1] = { log: log.child({ issuer: p.index }), params };
        if (isWrong) {
          const view = chainViewWithIssuerKey(rpc(i), p.index, p.shown.verificationKey);
          cleanups.push(() => view.close());
          modules.chain = view.chain;
        }
        return createIssuer(issuerConfig(), modules);
      };
      function issuerConfig() {
        return {
          dataDir: issuerDirs[i] as string,
          chain: { rpcUrl: rpc(i), idleCheckpointMs: 1_000, retryInitialMs: 100, retryMaxMs: 2_000 },
          http: { host: "127.0.0.1", port: 0 },
          directory: { url: directoryUrl },
          log: { level: "silent" as const },
        };
      }
      const d = daemon(`issuer${p.index}`, make);
      return {
        get name() {
          return d.name;
        },
        get running() {
          return d.running;
        },
        start: () => d.start(),
        stop: () => d.stop(),
        index: p.index,
        address: p.address as Address,
        get url() {
          return d.instance.url as string;
        },
        get issuer() {
          return d.instance;
        },
        wrongShare: isWrong,
      };
    });
    for (const issuer of issuers) {
      cleanups.push(() => issuer.stop());
      await issuer.start();
    }

    // Verifiers, each on its validator with its own chain client, following deposits from height 1.
    const verifiers: NetworkDaemon[] = verifierDirs.map((dataDir, i) =>
      daemon(`verifier${i}`, () => {
        let verifier: Verifier | undefined;
        let chainOfVerifier: ChainClient | undefined;
        return {
          async start() {
            chainOfVerifier = await connectChain({ rpcUrl: rpc(i) });
            verifier = createVerifier(
              {
                dataDir,
                chain: { pollIntervalMs: 50 },
                verify: { retryInitialMs: 100, retryMaxMs: 2_000 },
                http: { host: "127.0.0.1", port: 0 },
              },
              {
                log: log.child({ verifier: i }),
                chain: chainOfVerifier,
                secretKey: readChainKey(keyPaths(dataDir).chainKeyFile),
                params,
              },
            );
            await verifier.start();
          },
          async stop() {
            await verifier?.stop();
            chainOfVerifier?.close();
          },
        };
      }),
    );
    for (const v of verifiers) {
      cleanups.push(() => v.stop());
      await v.start();
    }

    // Service providers, on validator 3 - i, registered with a fixed port (the registration names its URL).
    const serviceProviders: NetworkServiceProvider[] = [];
    for (let i = 0; i < (options.serviceProviders ?? 1); i++) {
      const dataDir = join(dir, `sp${i}`);
      const keys = initServiceProviderKeys(dataDir);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const config = ServiceProviderConfigSchema.parse({
        dataDir,
        chain: { rpcUrl: rpc(i) },
        spend: { pollIntervalMs: 200, decisionTimeoutMs: 60_000 },
        http: { host: "127.0.0.1", port },
        directory: { url: directoryUrl, apiUrl: url, registerIntervalMs: 2_000 },
        ...(mixnet ? { mixnet: { directoryUrl, lambdaP: 50, lambdaD: 0, lambdaL: 0, meanDelayMs: 2 } } : {}),
        log: { level: "silent" },
      });
      const d = daemon(
        `sp${i}`,
        () => createServiceProvider(config, { log: log.child({ sp: i }), params }),
        (sp) => sp.ready,
      );
      const entry: NetworkServiceProvider = {
        get name() {
          return d.name;
        },
        get running() {
          return d.running;
        },
        start: () => d.start(),
        stop: () => d.stop(),
        address: keys.address,
        url,
        get mixnetAddress() {
          return d.instance.mixnet?.address;
        },
        get service() {
          return d.instance;
        },
      };
      cleanups.push(() => entry.stop());
      await entry.start();
      serviceProviders.push(entry);
    }

    async function waitForRegistrations(kind: NodeKind, count: number, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const nodes = await directoryClient.listPresence(kind).catch(() => []);
        if (nodes.length >= count) return;
        if (Date.now() > deadline) throw new Error(`the directory lists ${nodes.length} ${kind}s, not ${count}`);
        await sleep(100);
      }
    }
    await waitForRegistrations("issuer", issuers.length);
    await waitForRegistrations("service-provider", serviceProviders.length);

    const tokenAsDeployer = nymToken(token.address, deployer);
    let funding = Promise.resolve();
    return {
      dir,
      testnet,
      anvil,
      chainRpcUrl,
      chain,
      appState,
      ethereum: {
        rpcUrl: anvil.url,
        chainId: anvil.chainId,
        tokenAddress: token.address,
        pipeAccount,
        deployBlock: token.blockNumber,
        confirmations,
        blockTime,
      },
      directoryUrl,
      directory,
      watchers,
      issuers,
      verifiers,
      serviceProviders,
      mixnet,
      fund(address, amounts) {
        // One funding at a time: the deployer's nonces stay in order.
        const run = funding.then(async () => {
          const sent = [];
          if (amounts.eth !== undefined && amounts.eth > 0n) {
            sent.push(await deployer.sendTransaction({ to: address, value: amounts.eth }));
          }
          if (amounts.nym !== undefined && amounts.nym > 0n) {
            sent.push(await tokenAsDeployer.getFunction("transfer")(address, amounts.nym));
          }
          await Promise.all(sent.map((tx) => tx.wait()));
        });
        funding = run.catch(() => {});
        return run;
      },
      waitForRegistrations,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * A chain client whose `params()` shows issuer `index` with `verificationKey`: how a test starts an issuer on a
 * share that is not the one genesis names (the issuer refuses to start when the two differ, as it should).
 */
function chainViewWithIssuerKey(
  rpcUrl: string,
  index: number,
  verificationKey: string,
): { chain: ChainClient; close(): void } {
  let real: Promise<ChainClient> | undefined;
  const need = (): Promise<ChainClient> => {
    real ??= connectChain({ rpcUrl });
    return real;
  };
  const chain = {
    chainId: async () => (await need()).chainId(),
    latestHeight: async () => (await need()).latestHeight(),
    subscribe: async (...args: Parameters<ChainClient["subscribe"]>) => (await need()).subscribe(...args),
    searchEvents: async (...args: Parameters<ChainClient["searchEvents"]>) => (await need()).searchEvents(...args),
    credentialRequest: async (id: string) => (await need()).credentialRequest(id),
    params: async () => {
      const state = await (await need()).params();
      return {
        ...state,
        issuers: {
          ...state.issuers,
          members: state.issuers.members.map((m) => (m.index === index ? { ...m, verificationKey } : m)),
        },
      };
    },
  } as unknown as ChainClient;
  return {
    chain,
    close() {
      void real?.then((c) => c.close()).catch(() => {});
      real = undefined;
    },
  };
}
