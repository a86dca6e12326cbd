import { z } from "zod";

/** Ports basePort .. basePort + PORT_RANGE - 1 belong to the localnet. */
export const PORT_RANGE = 800;

/**
 * The localnet's topology: how many nodes of each kind, the thresholds, and the first port of its range. Every other
 * fact of the network (service names, directories, ports, URLs, who talks to whom) follows from it, in `planServices`.
 */
export const TopologyOptions = z
  .strictObject({
    validators: z.int().min(1).max(33).default(4).describe("Validators (CometBFT node + nym-validator ledger each)"),
    watchers: z.int().min(1).max(100).default(3).describe("Ethereum watchers"),
    watcherThreshold: z
      .int()
      .min(1)
      .optional()
      .describe("Watcher notifications that credit a transfer; default a majority (n/2 + 1)"),
    issuers: z.int().min(1).max(100).default(3).describe("Coconut issuers (key shares from the trusted dealer)"),
    threshold: z.int().min(1).default(2).describe("t: partial credentials that make a credential"),
    verifiers: z.int().min(1).max(100).default(3).describe("Verifiers"),
    verifierThreshold: z
      .int()
      .min(1)
      .optional()
      .describe("Verifier votes that decide a deposit; default a majority (n/2 + 1)"),
    providers: z.int().min(0).max(100).default(2).describe("Service providers"),
    mixLayers: z.int().min(1).max(3).default(3).describe("Mix layers (clients route through 3)"),
    mixnodesPerLayer: z.int().min(1).max(16).default(2).describe("Mixnodes in each layer"),
    gateways: z.int().min(1).max(50).default(2).describe("Gateways"),
    basePort: z
      .int()
      .min(1024)
      .max(65_535 - PORT_RANGE)
      .default(21_000)
      .describe("First port of the localnet's range on 127.0.0.1 (it uses basePort .. basePort + 799)"),
  })
  .refine((t) => t.threshold <= t.issuers, { message: "threshold exceeds the number of issuers", path: ["threshold"] })
  .refine((t) => (t.watcherThreshold ?? 1) <= t.watchers, {
    message: "watcherThreshold exceeds the number of watchers",
    path: ["watcherThreshold"],
  })
  .refine((t) => (t.verifierThreshold ?? 1) <= t.verifiers, {
    message: "verifierThreshold exceeds the number of verifiers",
    path: ["verifierThreshold"],
  });
export type TopologyInput = z.input<typeof TopologyOptions>;

/** A validated topology with every threshold filled in. */
export interface Topology {
  validators: number;
  watchers: number;
  watcherThreshold: number;
  issuers: number;
  threshold: number;
  verifiers: number;
  verifierThreshold: number;
  providers: number;
  mixLayers: number;
  mixnodesPerLayer: number;
  gateways: number;
  basePort: number;
}

const majority = (n: number): number => Math.floor(n / 2) + 1;

/** Validates a topology (zod issues name the bad key) and fills in the default thresholds. */
export function resolveTopology(input: TopologyInput = {}): Topology {
  const t = TopologyOptions.parse(input);
  return {
    ...t,
    watcherThreshold: t.watcherThreshold ?? majority(t.watchers),
    verifierThreshold: t.verifierThreshold ?? majority(t.verifiers),
  };
}

/** The default topology: 4 validators, 3 watchers, 3 issuers (t = 2), 3 verifiers, 2 SPs, 3 x 2 mixnodes, 2 gateways. */
export const DEFAULT_TOPOLOGY: Topology = resolveTopology();

/**
 * The kinds of process the localnet runs. `validator` is the ledger (`nym-validator`, ABCI) and `cometbft` the
 * consensus node in front of it; in Docker the two share one container.
 */
export type ServiceKind =
  | "anvil"
  | "cometbft"
  | "validator"
  | "directory"
  | "ethereum-watcher"
  | "issuer"
  | "verifier"
  | "service-provider"
  | "mixnode"
  | "gateway";

/** How `up` and `status` tell that a service is healthy. */
export type HealthCheck =
  | { type: "http"; url: string }
  | { type: "cometbft"; url: string }
  | { type: "ethereum"; url: string }
  | { type: "listen"; socket?: string; port?: number };

export interface ServiceSpec {
  /** Unique name: `validator-0`, `issuer-1`, `mixnode-2-0`; what `logs NAME` takes. */
  name: string;
  kind: ServiceKind;
  /** 0-based position among its kind (the issuer's share index is `index + 1`; a mixnode's within its layer). */
  index: number;
  /** A mixnode's layer (1..3). */
  layer?: number;
  /** Its config directory, relative to the build directory (`issuers/issuer0`). */
  dir: string;
  /** Every port it listens on, by role (`http`, `rpc`, `p2p`, `abci`, `mixnet`). */
  ports: Record<string, number>;
  /** The URL the table shows (its API, RPC or /health endpoint). */
  url: string;
  health: HealthCheck;
  /** Start order: every service of stage n is healthy before stage n + 1 starts. */
  stage: number;
  /** Services it talks to (for compose's depends_on). */
  dependsOn: string[];
}

/** The port plan, one block of the range per kind (see docs/localnet.md, "Ports"). */
export const PORT_OFFSETS = {
  anvil: 0,
  directory: 1,
  /** validator i: p2p +100+3i, rpc +101+3i, abci +102+3i */
  validators: 100,
  watchers: 200,
  issuers: 300,
  verifiers: 400,
  providers: 500,
  /** mixnode k (layer-major): mixnet +600+2k, http +601+2k */
  mixnodes: 600,
  /** gateway i: mixnet +700+2i, http +701+2i */
  gateways: 700,
} as const;

export const LOOPBACK = "127.0.0.1";

const url = (port: number, path = ""): string => `http://${LOOPBACK}:${port}${path}`;

/** Which validator the daemon of index `i` of its kind talks to: spread over the validators. */
export function validatorFor(topology: Topology, i: number): number {
  return i % topology.validators;
}

/** The validator nymclient uses: the last one (the daemons start on the first ones). */
export function clientValidator(topology: Topology): number {
  return topology.validators - 1;
}

/** Service name of validator i's CometBFT node (its RPC is what daemons and clients use). */
export const validatorName = (i: number): string => `validator-${i}`;

/** Every service of the topology, in start order (stage, then kind, then index). */
export function planServices(topology: Topology): ServiceSpec[] {
  const b = topology.basePort;
  const services: ServiceSpec[] = [];
  const anvilPort = b + PORT_OFFSETS.anvil;
  services.push({
    name: "anvil",
    kind: "anvil",
    index: 0,
    dir: "ethereum",
    ports: { rpc: anvilPort },
    url: url(anvilPort),
    health: { type: "ethereum", url: url(anvilPort) },
    stage: 0,
    dependsOn: [],
  });
  for (let i = 0; i < topology.validators; i++) {
    const p2p = b + PORT_OFFSETS.validators + 3 * i;
    const ports = { p2p, rpc: p2p + 1, abci: p2p + 2 };
    services.push({
      name: `${validatorName(i)}-ledger`,
      kind: "validator",
      index: i,
      dir: `nodes/node${i}`,
      ports: { abci: ports.abci },
      url: `tcp://${LOOPBACK}:${ports.abci}`,
      health: { type: "listen", port: ports.abci },
      stage: 1,
      dependsOn: [],
    });
  }
  for (let i = 0; i < topology.validators; i++) {
    const p2p = b + PORT_OFFSETS.validators + 3 * i;
    services.push({
      name: validatorName(i),
      kind: "cometbft",
      index: i,
      dir: `nodes/node${i}`,
      ports: { p2p, rpc: p2p + 1 },
      url: url(p2p + 1),
      health: { type: "cometbft", url: url(p2p + 1, "/status") },
      stage: 2,
      dependsOn: [`${validatorName(i)}-ledger`],
    });
  }
  const directoryPort = b + PORT_OFFSETS.directory;
  services.push({
    name: "directory",
    kind: "directory",
    index: 0,
    dir: "directory",
    ports: { http: directoryPort },
    url: url(directoryPort),
    health: { type: "http", url: url(directoryPort, "/health") },
    stage: 1,
    dependsOn: [],
  });
  const http = (name: string, kind: ServiceKind, index: number, dir: string, port: number, deps: string[]) => {
    services.push({
      name,
      kind,
      index,
      dir,
      ports: { http: port },
      url: url(port),
      health: { type: "http", url: url(port, "/health") },
      stage: 3,
      dependsOn: deps,
    });
  };
  for (let i = 0; i < topology.watchers; i++) {
    http(`watcher-${i}`, "ethereum-watcher", i, `ethereum-watchers/watcher${i}`, b + PORT_OFFSETS.watchers + i, [
      validatorName(validatorFor(topology, i)),
      "anvil",
    ]);
  }
  for (let i = 0; i < topology.issuers; i++) {
    http(`issuer-${i}`, "issuer", i, `issuers/issuer${i}`, b + PORT_OFFSETS.issuers + i, [
      validatorName(validatorFor(topology, i)),
      "directory",
    ]);
  }
  for (let i = 0; i < topology.verifiers; i++) {
    http(`verifier-${i}`, "verifier", i, `verifiers/verifier${i}`, b + PORT_OFFSETS.verifiers + i, [
      validatorName(validatorFor(topology, i)),
      "directory",
    ]);
  }
  let k = 0;
  for (let layer = 1; layer <= topology.mixLayers; layer++) {
    for (let i = 0; i < topology.mixnodesPerLayer; i++, k++) {
      const mixnet = b + PORT_OFFSETS.mixnodes + 2 * k;
      services.push({
        name: `mixnode-${layer}-${i}`,
        kind: "mixnode",
        index: i,
        layer,
        dir: `mixnodes/mixnode-${layer}-${i}`,
        ports: { mixnet, http: mixnet + 1 },
        url: url(mixnet + 1),
        health: { type: "http", url: url(mixnet + 1, "/health") },
        stage: 4,
        dependsOn: ["directory"],
      });
    }
  }
  for (let i = 0; i < topology.gateways; i++) {
    const mixnet = b + PORT_OFFSETS.gateways + 2 * i;
    services.push({
      name: `gateway-${i}`,
      kind: "gateway",
      index: i,
      dir: `gateways/gateway${i}`,
      ports: { mixnet, http: mixnet + 1 },
      url: url(mixnet + 1),
      health: { type: "http", url: url(mixnet + 1, "/health") },
      stage: 4,
      dependsOn: ["directory"],
    });
  }
  for (let i = 0; i < topology.providers; i++) {
    const port = b + PORT_OFFSETS.providers + i;
    services.push({
      name: `provider-${i}`,
      kind: "service-provider",
      index: i,
      dir: `providers/provider${i}`,
      ports: { http: port },
      url: url(port),
      health: { type: "http", url: url(port, "/health") },
      stage: 5,
      dependsOn: [validatorName(validatorFor(topology, i)), "directory", `gateway-${providerGateway(topology, i)}`],
    });
  }
  return services;
}

/** The gateway holding SP i's mixnet mailbox. */
export function providerGateway(topology: Topology, i: number): number {
  return i % topology.gateways;
}

/** Every port of the plan, each once (the plan never reuses one; a unit test checks). */
export function allPorts(services: readonly ServiceSpec[]): number[] {
  return services.flatMap((s) => Object.values(s.ports));
}
