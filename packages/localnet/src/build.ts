import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type Address,
  type AppStateInput,
  addressFromSecretKey,
  appStateSchema,
  bytesToHex,
} from "@nym-ts/chain-client";
import { writeKeyFile } from "@nym-ts/common";
import { credentialParams, dealIssuerKeys } from "@nym-ts/credentials";
import { ed25519PublicKeyFromSeed } from "@nym-ts/directory-client";
import { getCreateAddress, Wallet } from "ethers";
import { stringify as stringifyToml } from "smol-toml";
import { findBins, wrapperScript } from "./bins.js";
import { writeCometHomes } from "./cometbft.js";
import {
  type ConfigObject,
  clientConfig,
  configFileOf,
  DAEMONS,
  daemonConfig,
  dockerPlacement,
  ETHEREUM_DEFAULTS,
  isDaemon,
  type NetworkFacts,
  nativePlacement,
} from "./configs.js";
import { LocalnetError } from "./errors.js";
import { MANIFEST_FILE, Manifest } from "./manifest.js";
import { liveServices } from "./processes.js";
import { keySource } from "./seed.js";
import { planServices, resolveTopology, type ServiceSpec, type TopologyInput } from "./topology.js";

export const DEFAULT_BUILD_DIR = "build/localnet";
export const CHAIN_ID = "nym-localnet";
/** NYM and ETH `up` gives the local client on anvil, enough for many demos. */
export const CLIENT_FUNDING = { nym: "1000", eth: "10" } as const;

export interface BuildOptions {
  /** Build directory (default build/localnet); created 0700. */
  dir?: string;
  topology?: TopologyInput;
  /** Reproducible keys (tests); fresh random keys without. */
  seed?: string;
  /** Replace an existing build (its data too); refused while it runs. */
  force?: boolean;
  /** Every daemon's log level (default info). */
  logLevel?: string;
  /** The `cometbft` executable; default $COMETBFT_BIN, else `cometbft` on PATH. */
  cometbft?: string;
}

export interface BuildResult {
  dir: string;
  manifest: Manifest;
  services: ServiceSpec[];
}

const CLIENT_DIR = "localclient";

/**
 * `nym-localnet build`: writes one config directory per node (see docs/localnet.md, "Layout"): fresh keys (0600,
 * from `keySource`), the issuers' Coconut shares from the trusted dealer (`dealIssuerKeys`), the chain's genesis
 * naming every validator, watcher, verifier and issuer with the thresholds and the pipe account, each daemon's
 * config.toml (native paths and 127.0.0.1 ports of the plan), the local client's directory, shell wrappers for the
 * bins in `bin/`, and localnet.json.
 */
export async function buildLocalnet(options: BuildOptions = {}): Promise<BuildResult> {
  const dir = resolve(options.dir ?? DEFAULT_BUILD_DIR);
  const topology = resolveTopology(options.topology);
  prepareDirectory(dir, options.force === true);
  const keys = keySource(options.seed);
  const services = planServices(topology);
  const byKind = (kind: ServiceSpec["kind"]) => services.filter((s) => s.kind === kind);
  const nodeDir = (s: ServiceSpec | string) => {
    const path = join(dir, typeof s === "string" ? s : s.dir);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  };
  const writeKey = (path: string, data: Uint8Array | string) => writeKeyFile(path, data);
  const ed25519 = (label: string, path: string) => {
    const seed = keys.bytes(label);
    writeKey(path, seed);
    return bytesToHex(ed25519PublicKeyFromSeed(seed));
  };
  const secp = (label: string, path: string): Address => {
    const key = keys.secp256k1(label);
    writeKey(path, bytesToHex(key));
    return addressFromSecretKey(key);
  };

  // Ethereum: the pipe account (its key kept for whoever wants to move what was paid in) and the token's address.
  const ethDir = nodeDir("ethereum");
  const pipeAccount = secp("ethereum/pipe.key", join(ethDir, "pipe.key"));
  // anvil's first dev account (from its public default mnemonic) deploys NYM as its first transaction.
  const { anvilDevKeys } = await import("@nym-ts/testkit/anvil");
  const deployer = new Wallet(anvilDevKeys(1)[0] as string).address;
  const tokenAddress = getCreateAddress({ from: deployer, nonce: 0 });

  const watchers = byKind("ethereum-watcher").map((s) => secp(`${s.dir}/chain.key`, join(nodeDir(s), "chain.key")));

  const params = await credentialParams();
  const dealt = dealIssuerKeys(params, topology.threshold, topology.issuers, { rng: keys.rng("issuers/dealer") });
  const issuers = byKind("issuer").map((s, i) => {
    const share = dealt.keys[i];
    if (share === undefined) throw new Error(`no share for ${s.name}`);
    const path = nodeDir(s);
    writeKey(join(path, "coconut.key"), share.secretKey);
    return {
      index: share.index,
      address: secp(`${s.dir}/chain.key`, join(path, "chain.key")),
      identityKey: ed25519(`${s.dir}/identity.key`, join(path, "identity.key")),
      verificationKey: share.verificationKey,
    };
  });
  const verifiers = byKind("verifier").map((s) => {
    const path = nodeDir(s);
    return {
      address: secp(`${s.dir}/chain.key`, join(path, "chain.key")),
      identityKey: ed25519(`${s.dir}/identity.key`, join(path, "identity.key")),
    };
  });
  const providers = byKind("service-provider").map((s) => {
    const path = nodeDir(s);
    writeKey(join(path, "encryption.key"), keys.bytes(`${s.dir}/encryption.key`));
    return {
      address: secp(`${s.dir}/account.key`, join(path, "account.key")),
      identityKey: ed25519(`${s.dir}/identity.key`, join(path, "identity.key")),
    };
  });
  const mixnetNode = (s: ServiceSpec) => {
    const path = nodeDir(s);
    writeKey(join(path, "sphinx.key"), keys.bytes(`${s.dir}/sphinx.key`));
    return { identityKey: ed25519(`${s.dir}/identity.key`, join(path, "identity.key")) };
  };
  const mixnodes = byKind("mixnode").map((s) => ({ name: s.name, ...mixnetNode(s) }));
  const gateways = byKind("gateway").map(mixnetNode);

  const clientDir = nodeDir(CLIENT_DIR);
  writeKey(join(clientDir, "identity.key"), keys.bytes(`${CLIENT_DIR}/identity.key`));
  writeKey(join(clientDir, "encryption.key"), keys.bytes(`${CLIENT_DIR}/encryption.key`));
  const clientAddress = secp(`${CLIENT_DIR}/account.key`, join(clientDir, "account.key"));

  // The chain: genesis with every member set, then each validator's CometBFT home.
  const appStateInput: AppStateInput = {
    pipeAccount: pipeAccount,
    watchers: { threshold: topology.watcherThreshold, members: watchers },
    verifiers: { threshold: topology.verifierThreshold, members: verifiers.map((v) => v.address) },
    issuers: {
      threshold: topology.threshold,
      members: issuers.map((i) => ({ address: i.address, index: i.index, verificationKey: i.verificationKey })),
    },
    accounts: [],
  };
  const appState = appStateSchema.parse(appStateInput);
  const cometNodes = byKind("cometbft").map((s) => {
    const ledger = services.find((l) => l.kind === "validator" && l.index === s.index);
    return {
      index: s.index,
      home: nodeDir(s),
      p2pPort: s.ports.p2p as number,
      rpcPort: s.ports.rpc as number,
      abciPort: ledger?.ports.abci as number,
    };
  });
  const nodeIds = await writeCometHomes({
    nodes: cometNodes,
    topology,
    keys,
    chainId: CHAIN_ID,
    appState,
    genesisTime: keys.seeded ? "2025-01-01T00:00:00Z" : new Date().toISOString(),
    cometbft: options.cometbft ?? process.env.COMETBFT_BIN ?? "cometbft",
  });

  // Every daemon's config.toml, and the client's client.json (docker.json: the same inside the compose network).
  const facts: NetworkFacts = {
    ethereum: {
      chainId: ETHEREUM_DEFAULTS.chainId,
      tokenAddress,
      pipeAccount,
      confirmations: ETHEREUM_DEFAULTS.confirmations,
    },
    gatewayIdentityKeys: gateways.map((g) => g.identityKey),
    logLevel: options.logLevel ?? "info",
  };
  const native = nativePlacement(dir);
  for (const s of services) {
    if (!isDaemon(s.kind)) continue;
    const config = daemonConfig(s, topology, facts, native);
    const path = join(nodeDir(s), configFileOf(s.kind));
    writeFileSync(path, tomlFile(`${DAEMONS[s.kind].bin} of ${s.name}`, config));
    mkdirSync(native.data(s), { recursive: true, mode: 0o700 });
  }
  writeJson(join(clientDir, "client.json"), clientConfig(topology, facts, native));
  writeJson(join(clientDir, "docker.json"), clientConfig(topology, facts, dockerPlacement));

  const manifest: Manifest = Manifest.parse({
    version: 1,
    seeded: keys.seeded,
    topology,
    chainId: CHAIN_ID,
    logLevel: facts.logLevel,
    ethereum: {
      chainId: ETHEREUM_DEFAULTS.chainId,
      blockTime: ETHEREUM_DEFAULTS.blockTime,
      confirmations: ETHEREUM_DEFAULTS.confirmations,
      deployer,
      tokenAddress,
      pipeAccount,
      clientFunding: CLIENT_FUNDING,
    },
    client: { dir: CLIENT_DIR, address: clientAddress },
    accounts: {
      watchers,
      issuers,
      verifiers,
      providers,
      gateways,
      mixnodes,
      validators: nodeIds.map((nodeId) => ({ nodeId })),
    },
  });
  writeFileSync(join(dir, "genesis-app-state.json"), `${JSON.stringify(appState, null, 2)}\n`);
  writeWrappers(dir);
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest, services };
}

/**
 * An empty (or new) directory to build in. An existing build is replaced only with --force, only when it is a
 * localnet (localnet.json) and only when none of its processes runs.
 */
function prepareDirectory(dir: string, force: boolean): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!force) {
      throw new LocalnetError(
        "LOCALNET_ERROR_EXISTS",
        `${dir} is not empty: \`nym-localnet up\` runs what is there, \`build --force\` replaces it (keys and data)`,
        { dir },
      );
    }
    if (!existsSync(join(dir, MANIFEST_FILE)) && !existsSync(join(dir, BUILD_MARKER))) {
      throw new LocalnetError("LOCALNET_ERROR_EXISTS", `${dir} holds no ${MANIFEST_FILE}: not replacing it`, { dir });
    }
    const live = liveServices(dir);
    if (live.length > 0) {
      throw new LocalnetError(
        "LOCALNET_ERROR_RUNNING",
        `the localnet in ${dir} is running (${live.join(", ")}): \`nym-localnet down\` first`,
        { dir },
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  // Marks the directory as a localnet's before anything else is written, so a failed build can be replaced too.
  writeFileSync(join(dir, BUILD_MARKER), "written by nym-localnet build\n");
}

const BUILD_MARKER = ".nym-localnet";

function tomlFile(what: string, config: ConfigObject): string {
  return `# ${what}: written by \`nym-localnet build\` (docs/localnet.md); \`--validate-only\` checks it.\n${stringifyToml(config)}\n`;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** `<build>/bin/<name>` for nym-localnet, nymclient and every daemon, so `export PATH=<build>/bin:$PATH` works. */
function writeWrappers(dir: string): void {
  const binDir = join(dir, "bin");
  mkdirSync(binDir, { recursive: true });
  for (const bin of findBins().values()) {
    const script = wrapperScript(bin);
    if (script !== undefined) writeFileSync(join(binDir, bin.name), script, { mode: 0o755 });
  }
}
