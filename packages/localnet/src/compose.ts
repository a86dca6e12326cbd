import { Document } from "yaml";
import {
  DAEMONS,
  type DaemonKind,
  daemonConfig,
  dockerEnvironment,
  dockerPlacement,
  isDaemon,
  type NetworkFacts,
  nativePlacement,
} from "./configs.js";
import {
  clientValidator,
  planServices,
  providerGateway,
  type ServiceSpec,
  type Topology,
  validatorFor,
  validatorName,
} from "./topology.js";

/**
 * The docker-compose.yml of a topology: one service per node (a validator's CometBFT and ledger share one), each
 * image `nym-ts/<daemon>` built from the target `<daemon>` of the repository's root `Dockerfile`, the node's build
 * directory mounted read-only at /config and a named volume at /data, the node's config.toml made a container config
 * by environment variables (the values that differ: paths, listen addresses, other services by name), a health
 * check per service, `depends_on` with `service_healthy`, anvil and a `token-deploy` job, and a `client` service
 * (profile `client`) whose command is `nymclient demo`. Nothing in it depends on the keys: the same topology always
 * gives the same file, whatever the seed, so the committed docker-compose.yml serves every build of the default
 * topology.
 *
 * Contract with the images (the root Dockerfile's targets): each image's ENTRYPOINT runs its bin (`nym-issuer`, ...)
 * and the image has `node` (the health checks use it); nym-ts/validator runs both processes from CMTHOME (the
 * read-only home /config/docker, whose config.toml puts CometBFT's data under /data/cometbft: the entrypoint creates
 * /data/cometbft/data/priv_validator_state.json when the volume is new) and passes its command's flags to
 * `cometbft start`; nym-ts/localnet runs `nym-localnet`; nym-ts/anvil runs `anvil`.
 */

export interface ComposeOptions {
  /** The build directory as seen from the compose file's directory (`./build/localnet`). */
  buildDir: string;
  /** The repository root (the images' build context) as seen from the compose file's directory (`.`). */
  context: string;
  /** Published on the host's loopback: every HTTP/RPC port (default true). */
  publish?: boolean;
}

type Service = Record<string, unknown>;

/** Facts whose values do not matter here: they are the same in the native and the container configs. */
const PLACEHOLDER_FACTS: NetworkFacts = {
  ethereum: {
    chainId: 31_337,
    tokenAddress: `0x${"00".repeat(20)}`,
    pipeAccount: `0x${"00".repeat(20)}`,
    confirmations: 1,
  },
  gatewayIdentityKeys: Array.from({ length: 64 }, () => "00".repeat(32)),
  logLevel: "info",
};

/** The user every container with key files runs as: the owner of the 0600 files (`NYM_UID=$(id -u)`). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's own variable syntax, not a JS template
export const COMPOSE_USER = "${NYM_UID:-1000}:${NYM_GID:-1000}";

const HEALTH_TIMING = { interval: "5s", timeout: "5s", retries: 24, start_period: "5s" };

/** A health check that runs node inside the container (every image has it). */
function nodeCheck(script: string): Record<string, unknown> {
  return { test: ["CMD", "node", "-e", script], ...HEALTH_TIMING };
}

const httpCheck = (port: number, path: string) =>
  nodeCheck(`fetch('http://127.0.0.1:${port}${path}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`);

const ethereumCheck = (port: number) =>
  nodeCheck(
    `fetch('http://127.0.0.1:${port}', { method: 'POST', headers: { 'content-type': 'application/json' }, ` +
      `body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' })` +
      ".then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
  );

const healthy = { condition: "service_healthy" };

/** The image `nym-ts/<name>`, built from the target `<name>` of the Dockerfile at the context's root. */
function image(name: string, context: string): Service {
  return { image: `nym-ts/${name}`, build: { context, dockerfile: "Dockerfile", target: name } };
}

/** The docker-compose.yml text for `topology`. */
export function composeFile(topology: Topology, options: ComposeOptions): string {
  const services = planServices(topology);
  const byName = new Map(services.map((s) => [s.name, s]));
  const native = nativePlacement("/build");
  const publish = options.publish !== false;
  const mount = (s: ServiceSpec | string, file?: string) =>
    `${options.buildDir}/${typeof s === "string" ? s : s.dir}${file === undefined ? "" : `/${file}`}`;
  const ports = (...list: number[]) => (publish ? { ports: list.map((p) => `127.0.0.1:${p}:${p}`) } : {});
  const volumes: string[] = [];
  const volume = (name: string, target: string) => {
    volumes.push(name);
    return `${name}:${target}`;
  };
  const out: Record<string, Service> = {};

  const anvil = byName.get("anvil") as ServiceSpec;
  const anvilPort = anvil.ports.rpc as number;
  out.anvil = {
    ...image("anvil", options.context),
    command: [
      "--host",
      "0.0.0.0",
      "--port",
      String(anvilPort),
      "--chain-id",
      "31337",
      "--block-time",
      "1",
      "--state",
      "/data/anvil-state.json",
      "--state-interval",
      "10",
    ],
    volumes: [volume("anvil-data", "/data")],
    ...ports(anvilPort),
    healthcheck: ethereumCheck(anvilPort),
  };
  out["token-deploy"] = {
    ...image("localnet", options.context),
    command: ["fund", "--dir", "/localnet", "--ethereum", `http://anvil:${anvilPort}`],
    volumes: [`${mount("localnet.json")}:/localnet/localnet.json:ro`],
    depends_on: { anvil: healthy },
    restart: "no",
  };

  for (const s of services) {
    if (s.kind === "cometbft") {
      const ledger = services.find((l) => l.kind === "validator" && l.index === s.index) as ServiceSpec;
      const env = dockerEnvironment(
        "validator",
        daemonConfig(ledger, topology, PLACEHOLDER_FACTS, native),
        daemonConfig(ledger, topology, PLACEHOLDER_FACTS, dockerPlacement),
      );
      out[s.name] = {
        ...image("validator", options.context),
        user: COMPOSE_USER,
        command: [`--p2p.laddr=tcp://0.0.0.0:${s.ports.p2p}`, `--rpc.laddr=tcp://0.0.0.0:${s.ports.rpc}`],
        environment: { CMTHOME: "/config/docker", ...env },
        volumes: [
          `${mount(s)}:/config:ro`,
          volume(`${s.name}-app`, "/data/app"),
          volume(`${s.name}-cometbft`, "/data/cometbft"),
        ],
        ...ports(s.ports.rpc as number),
        healthcheck: httpCheck(s.ports.rpc as number, "/status"),
      };
      continue;
    }
    if (!isDaemon(s.kind) || s.kind === "validator") continue;
    const kind: DaemonKind = s.kind;
    const env = dockerEnvironment(
      kind,
      daemonConfig(s, topology, PLACEHOLDER_FACTS, native),
      daemonConfig(s, topology, PLACEHOLDER_FACTS, dockerPlacement),
    );
    const keysInData = kindKeysInData[kind] ?? [];
    const dependsOn: Record<string, unknown> = {};
    for (const dep of dependencies(s, topology)) dependsOn[dep] = dep === "token-deploy" ? completed : healthy;
    out[s.name] = {
      ...image(DAEMONS[kind].image, options.context),
      user: COMPOSE_USER,
      command: ["run", "--config", "/config/config.toml"],
      environment: env,
      volumes: [
        `${mount(s)}:/config:ro`,
        volume(`${s.name}-data`, "/data"),
        ...keysInData.map((file) => `${mount(s, file)}:/data/${file}:ro`),
      ],
      ...ports(s.ports.http as number),
      ...(Object.keys(dependsOn).length > 0 ? { depends_on: dependsOn } : {}),
      healthcheck: httpCheck(s.ports.http as number, "/health"),
    };
  }

  const clientDeps: Record<string, unknown> = { "token-deploy": completed };
  for (const s of services) {
    if (["ethereum-watcher", "issuer", "verifier", "service-provider", "gateway", "mixnode"].includes(s.kind)) {
      clientDeps[s.name] = healthy;
    }
  }
  clientDeps[validatorName(clientValidator(topology))] = healthy;
  out.client = {
    ...image("client", options.context),
    profiles: ["client"],
    user: COMPOSE_USER,
    command: ["demo", "--dir", "/client", "--via-mixnet"],
    volumes: [
      volume("client-data", "/client"),
      `${mount("localclient", "docker.json")}:/client/client.json:ro`,
      ...CLIENT_KEYS.map((file) => `${mount("localclient", file)}:/client/${file}:ro`),
    ],
    depends_on: clientDeps,
  };

  // YAML 1.1 rules for quoting ("no" stays a string), and no anchors for repeated objects.
  const doc = new Document(
    { services: out, volumes: Object.fromEntries(volumes.map((v) => [v, {}])) },
    { version: "1.1", aliasDuplicateObjects: false },
  );
  doc.commentBefore = header(topology);
  return doc.toString({ lineWidth: 0 });
}

const completed = { condition: "service_completed_successfully" };

/** Key files a daemon reads from its data directory (so they are mounted into its /data volume). */
const kindKeysInData: Partial<Record<DaemonKind, string[]>> = {
  mixnode: ["identity.key", "sphinx.key"],
  gateway: ["identity.key", "sphinx.key"],
  "service-provider": ["account.key", "identity.key", "encryption.key"],
};
const CLIENT_KEYS = ["identity.key", "encryption.key", "account.key"];

/** The services a daemon needs healthy before it starts (and the token job, for the watchers). */
function dependencies(s: ServiceSpec, topology: Topology): string[] {
  const validator = validatorName(validatorFor(topology, s.index));
  switch (s.kind) {
    case "ethereum-watcher":
      return [validator, "token-deploy"];
    case "issuer":
    case "verifier":
      return [validator, "directory"];
    case "service-provider":
      return [validator, "directory", `gateway-${providerGateway(topology, s.index)}`];
    case "mixnode":
    case "gateway":
      return ["directory"];
    default:
      return [];
  }
}

function header(t: Topology): string {
  return [
    " The Nym localnet in Docker. Generated by `nym-localnet compose` (packages/localnet) for the topology",
    ` validators=${t.validators} watchers=${t.watchers}/${t.watcherThreshold} issuers=${t.issuers}/${t.threshold}` +
      ` verifiers=${t.verifiers}/${t.verifierThreshold} providers=${t.providers}` +
      ` mixnodes=${t.mixLayers}x${t.mixnodesPerLayer} gateways=${t.gateways} base-port=${t.basePort};`,
    " do not edit: regenerate. A test checks that this file is what the generator writes. See docs/localnet.md.",
    "",
    " nym-localnet build                       # keys, genesis and configs in build/localnet (mounted read-only)",
    " NYM_UID=$(id -u) NYM_GID=$(id -g) docker compose up -d   # containers run as the owner of the 0600 key files",
    " NYM_UID=$(id -u) NYM_GID=$(id -g) docker compose run --rm client   # nymclient demo: pay, credential, spend, message",
    " docker compose down -v",
  ].join("\n");
}

/**
 * An override file that puts every container on the host's network (tests: all traffic stays on 127.0.0.1): no
 * published ports, and every service name resolving to 127.0.0.1. The plan's ports are unique across services, so
 * the containers do not clash.
 */
export function composeHostNetworkOverride(topology: Topology): string {
  // A Set: the plan lists anvil too, and a repeated extra_hosts key is a YAML error.
  const names = [
    ...new Set([
      "anvil",
      "token-deploy",
      ...planServices(topology)
        .filter((s) => s.kind !== "validator")
        .map((s) => s.name),
      "client",
    ]),
  ];
  const lines = [
    "# Host networking for docker-compose.yml (generated by `nym-localnet compose --host-network`): every container",
    "# on the host's network, each service name resolving to 127.0.0.1. Compose v2.24+ (for !reset).",
    "x-hosts: &hosts",
    ...names.map((n) => `  - "${n}:127.0.0.1"`),
    "services:",
  ];
  for (const name of names) {
    lines.push(`  ${name}:`, "    network_mode: host", "    ports: !reset []", "    extra_hosts: *hosts");
  }
  return `${lines.join("\n")}\n`;
}

/** Every environment variable of the compose file's daemon services, for tests: service -> env. */
export function composeEnvironments(
  topology: Topology,
): Map<string, { kind: DaemonKind; env: Record<string, string> }> {
  const native = nativePlacement("/build");
  const result = new Map<string, { kind: DaemonKind; env: Record<string, string> }>();
  for (const s of planServices(topology)) {
    if (!isDaemon(s.kind)) continue;
    const env = dockerEnvironment(
      s.kind,
      daemonConfig(s, topology, PLACEHOLDER_FACTS, native),
      daemonConfig(s, topology, PLACEHOLDER_FACTS, dockerPlacement),
    );
    result.set(s.name, { kind: s.kind, env });
  }
  return result;
}
