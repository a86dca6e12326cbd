import { join } from "node:path";
import { envName } from "@nym-ts/common";
import {
  clientValidator,
  LOOPBACK,
  planServices,
  providerGateway,
  type ServiceKind,
  type ServiceSpec,
  type Topology,
  validatorFor,
  validatorName,
} from "./topology.js";

/**
 * The config of every daemon, written once as a function of where it runs: `native` (a process on this machine:
 * absolute paths under the build directory, 127.0.0.1) or `docker` (a container of docker-compose.yml: its node
 * directory mounted at /config, a volume at /data, other services by name, listening on 0.0.0.0). The native config
 * is the node's config.toml; the container gets the same file plus environment variables for every key whose value
 * differs (`dockerEnvironment`), so both are one source.
 */
export type Mode = "native" | "docker";

/** The daemons the localnet runs from this repository, with their bin, package and environment prefix. */
export const DAEMONS = {
  validator: { bin: "nym-validator", pkg: "chain", envPrefix: "NYM_VALIDATOR_", image: "validator" },
  directory: { bin: "nym-directory", pkg: "directory", envPrefix: "NYM_DIRECTORY_", image: "directory" },
  "ethereum-watcher": {
    bin: "nym-ethereum-watcher",
    pkg: "ethereum-watcher",
    envPrefix: "NYM_ETHEREUM_WATCHER_",
    image: "ethereum-watcher",
  },
  issuer: { bin: "nym-issuer", pkg: "issuer", envPrefix: "NYM_ISSUER_", image: "issuer" },
  verifier: { bin: "nym-verifier", pkg: "verifier", envPrefix: "NYM_VERIFIER_", image: "verifier" },
  "service-provider": {
    bin: "nym-service-provider",
    pkg: "service-provider",
    envPrefix: "NYM_SERVICE_PROVIDER_",
    image: "service-provider",
  },
  mixnode: { bin: "nym-mixnode", pkg: "mixnode", envPrefix: "NYM_MIXNODE_", image: "mixnode" },
  gateway: { bin: "nym-gateway", pkg: "gateway", envPrefix: "NYM_GATEWAY_", image: "gateway" },
} as const satisfies Partial<Record<ServiceKind, { bin: string; pkg: string; envPrefix: string; image: string }>>;
export type DaemonKind = keyof typeof DAEMONS;

export const isDaemon = (kind: ServiceKind): kind is DaemonKind => kind in DAEMONS;

/** The file each daemon's config is written to, in its node directory. */
export const configFileOf = (kind: DaemonKind): string => (kind === "validator" ? "validator.toml" : "config.toml");

/** Public facts the configs need besides the topology: the Ethereum side and the gateways' identity keys. */
export interface NetworkFacts {
  ethereum: { chainId: number; tokenAddress: string; pipeAccount: string; confirmations: number };
  /** Hex Ed25519 identity key of each gateway. */
  gatewayIdentityKeys: string[];
  logLevel: string;
}

/** The Ethereum side's defaults: anvil's chain id, one confirmation at anvil's 1 s blocks. */
export const ETHEREUM_DEFAULTS = { chainId: 31_337, confirmations: 1, blockTime: 1 } as const;

/** Where things are in one mode. */
export interface Placement {
  mode: Mode;
  /** A file of the node's own config directory. */
  file(service: ServiceSpec, name: string): string;
  /** The node's data directory (created by the daemon or the build). */
  data(service: ServiceSpec): string;
  /** The node's directory when the daemon keeps its keys and its data together (SP, mixnode, gateway). */
  keysAndData(service: ServiceSpec): string;
  /** The host other services reach `name` at. */
  host(name: string): string;
  /** The address a daemon listens on. */
  listen: string;
}

export function nativePlacement(buildDir: string): Placement {
  return {
    mode: "native",
    file: (s, name) => join(buildDir, s.dir, name),
    data: (s) => join(buildDir, s.dir, s.kind === "validator" ? "app" : "data"),
    keysAndData: (s) => join(buildDir, s.dir),
    host: () => LOOPBACK,
    listen: LOOPBACK,
  };
}

/** In a container: the node directory at /config (read-only), its volume at /data (the ledger's at /data/app). */
export const dockerPlacement: Placement = {
  mode: "docker",
  file: (_, name) => `/config/${name}`,
  data: (s) => (s.kind === "validator" ? "/data/app" : "/data"),
  keysAndData: () => "/data",
  host: (name) => name,
  listen: "0.0.0.0",
};

type ConfigValue = string | number | boolean | string[] | ConfigObject;
export interface ConfigObject {
  [key: string]: ConfigValue;
}

/**
 * The config of one daemon service. Timings are the localnet's: directory registrations renewed every 5 s and the
 * topology re-read every 2 s (the defaults suit a long-lived network), one Ethereum confirmation.
 */
export function daemonConfig(
  service: ServiceSpec,
  topology: Topology,
  facts: NetworkFacts,
  at: Placement,
): ConfigObject {
  const services = new Map(planServices(topology).map((s) => [s.name, s]));
  const port = (name: string, role: string): number => {
    const p = services.get(name)?.ports[role];
    if (p === undefined) throw new Error(`no ${role} port for ${name}`);
    return p;
  };
  const urlOf = (name: string, role: string) => `http://${at.host(name)}:${port(name, role)}`;
  const rpcUrl = (i: number) => urlOf(validatorName(i), "rpc");
  const directoryUrl = urlOf("directory", "http");
  const log = { level: facts.logLevel };
  const own = (role: string) => port(service.name, role);
  const selfUrl = () => urlOf(service.name, "http");
  const kind = service.kind;
  switch (kind) {
    case "validator":
      return {
        abci: { host: LOOPBACK, port: own("abci") },
        data: { dir: at.data(service) },
        log,
      };
    case "directory":
      return {
        http: { host: at.listen, port: own("http") },
        storage: { path: join(at.data(service), "directory.sqlite") },
        // Every node of the localnet registers from one address.
        rateLimit: { writesPerAddressPerMinute: 100_000, writesPerKeyPerMinute: 600 },
        log,
      };
    case "ethereum-watcher":
      return {
        ethereum: {
          rpcUrl: urlOf("anvil", "rpc"),
          chainId: facts.ethereum.chainId,
          tokenAddress: facts.ethereum.tokenAddress,
          pipeAccount: facts.ethereum.pipeAccount,
          confirmations: facts.ethereum.confirmations,
          startBlock: 0,
          pollIntervalMs: 500,
        },
        chain: { rpcUrl: rpcUrl(validatorFor(topology, service.index)), keyFile: at.file(service, "chain.key") },
        dataDir: at.data(service),
        http: { host: at.listen, port: own("http") },
        log,
      };
    case "issuer":
      return {
        dataDir: at.data(service),
        keys: {
          coconutKeyFile: at.file(service, "coconut.key"),
          chainKeyFile: at.file(service, "chain.key"),
          identityKeyFile: at.file(service, "identity.key"),
        },
        chain: { rpcUrl: rpcUrl(validatorFor(topology, service.index)), idleCheckpointMs: 2_000 },
        http: { host: at.listen, port: own("http") },
        directory: { url: directoryUrl, apiUrl: selfUrl() },
        log,
      };
    case "verifier":
      return {
        dataDir: at.data(service),
        keys: { chainKeyFile: at.file(service, "chain.key"), identityKeyFile: at.file(service, "identity.key") },
        chain: { rpcUrl: rpcUrl(validatorFor(topology, service.index)) },
        http: { host: at.listen, port: own("http") },
        directory: { url: directoryUrl, apiUrl: selfUrl() },
        log,
      };
    case "service-provider": {
      const gateway = facts.gatewayIdentityKeys[providerGateway(topology, service.index)];
      if (gateway === undefined) throw new Error(`no gateway for ${service.name}`);
      return {
        dataDir: at.keysAndData(service),
        chain: { rpcUrl: rpcUrl(validatorFor(topology, service.index)) },
        http: { host: at.listen, port: own("http") },
        directory: { url: directoryUrl, apiUrl: selfUrl(), registerIntervalMs: 5_000 },
        // Fewer cover packets than the defaults (20, 2, 2 a second): a localnet's mixnet shares one machine.
        mixnet: { directoryUrl, gateway, lambdaP: 5, lambdaD: 1, lambdaL: 1 },
        log,
      };
    }
    case "mixnode":
      return {
        mixnode: {
          layer: service.layer ?? 1,
          listenHost: at.listen,
          port: own("mixnet"),
          announceHost: at.host(service.name),
        },
        directory: { url: directoryUrl, registerIntervalMs: 5_000, topologyRefreshMs: 2_000 },
        http: { enabled: true, host: at.listen, port: own("http") },
        storage: { dataDir: at.keysAndData(service) },
        log,
      };
    case "gateway":
      return {
        gateway: { listenHost: at.listen, port: own("mixnet"), announceHost: at.host(service.name) },
        directory: { url: directoryUrl, registerIntervalMs: 5_000, topologyRefreshMs: 2_000 },
        http: { enabled: true, host: at.listen, port: own("http") },
        storage: { dataDir: at.keysAndData(service) },
        log,
      };
    default:
      throw new Error(`${kind} has no daemon config`);
  }
}

/**
 * nymclient's client.json for the localnet's client: gateway 0's mailbox, the last validator (the daemons are spread
 * over the validators from the first one), the directory for issuers and SPs, and the Ethereum side for
 * `nymclient pay`.
 */
export function clientConfig(topology: Topology, facts: NetworkFacts, at: Placement): ConfigObject {
  const services = new Map(planServices(topology).map((s) => [s.name, s]));
  const urlOf = (name: string, role: string) => `http://${at.host(name)}:${services.get(name)?.ports[role]}`;
  const gateway = facts.gatewayIdentityKeys[0];
  if (gateway === undefined) throw new Error("no gateway for the client");
  return {
    directoryUrl: urlOf("directory", "http"),
    gateway,
    chain: { rpcUrl: urlOf(validatorName(clientValidator(topology)), "rpc") },
    ethereum: {
      rpcUrl: urlOf("anvil", "rpc"),
      chainId: facts.ethereum.chainId,
      tokenAddress: facts.ethereum.tokenAddress,
      confirmations: facts.ethereum.confirmations,
    },
    log: { level: "warn" },
  };
}

/** `{ a: { b: 1 } }` -> `[["a.b", 1]]`; arrays are leaves. */
export function flatten(config: ConfigObject, prefix = ""): [string, Exclude<ConfigValue, ConfigObject>][] {
  const out: [string, Exclude<ConfigValue, ConfigObject>][] = [];
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "object" && !Array.isArray(value)) out.push(...flatten(value, path));
    else out.push([path, value]);
  }
  return out;
}

/** Hosts and ports are always set in a container: an image's own defaults (its ENV) must not win over the plan. */
const ALWAYS_SET = /(?:host|port)$/i;

/**
 * The environment variables that turn a node's native config.toml into its container config: every key whose value
 * differs, plus every host and port (`NYM_ISSUER_HTTP__PORT`). Both configs must have the same keys (a key only the
 * native one has could not be taken back by the environment), which is checked here.
 */
export function dockerEnvironment(
  kind: DaemonKind,
  native: ConfigObject,
  docker: ConfigObject,
): Record<string, string> {
  const nativeLeaves = new Map(flatten(native));
  const dockerLeaves = flatten(docker);
  if (nativeLeaves.size !== dockerLeaves.length || dockerLeaves.some(([path]) => !nativeLeaves.has(path))) {
    throw new Error(`${kind}: the native and container configs have different keys`);
  }
  const env: Record<string, string> = {};
  for (const [path, value] of dockerLeaves) {
    const last = path.slice(path.lastIndexOf(".") + 1);
    if (JSON.stringify(nativeLeaves.get(path)) === JSON.stringify(value) && !ALWAYS_SET.test(last)) continue;
    env[envName(DAEMONS[kind].envPrefix, path)] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  }
  return env;
}
