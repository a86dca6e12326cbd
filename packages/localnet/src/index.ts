/**
 * @nym-ts/localnet: `nym-localnet`, the whole Nym network on one machine (docs/localnet.md).
 *
 * - `buildLocalnet`: one config directory per node (keys 0600, the dealer's Coconut shares, one genesis for every
 *   validator, each daemon's config.toml on the port plan of `planServices`), the local client's directory and
 *   localnet.json; reproducible with a seed.
 * - `upLocalnet` / `downLocalnet` / `localnetStatus`: the services as detached local processes (anvil, CometBFT and
 *   the ledger, the daemons from this repository's sources), started stage by stage until healthy, stopped in
 *   reverse; logs and pids under the build directory.
 * - `composeFile`: the same topology as a docker-compose.yml (the committed one is the default topology's).
 * - `fundLocalnet`: NYM deployed on anvil where the configs expect it, the local client funded.
 *
 * @example
 * await buildLocalnet({ dir: "build/localnet", topology: { validators: 1, issuers: 1, threshold: 1 }, seed: "test" });
 * await upLocalnet({ dir: "build/localnet" });
 * console.log(formatStatusTable(await localnetStatus({ dir: "build/localnet" })));
 * await downLocalnet({ dir: "build/localnet" });
 */

export { type BinLocation, binCommand, findBins, repositoryRoot } from "./bins.js";
export { type BuildOptions, type BuildResult, buildLocalnet, CHAIN_ID, DEFAULT_BUILD_DIR } from "./build.js";
export { cliSpec, runCli } from "./cli.js";
export { type ComposeOptions, composeEnvironments, composeFile, composeHostNetworkOverride } from "./compose.js";
export {
  configFileOf,
  DAEMONS,
  type DaemonKind,
  daemonConfig,
  dockerEnvironment,
  isDaemon,
  type NetworkFacts,
} from "./configs.js";
export { LocalnetError, type LocalnetErrorCode } from "./errors.js";
export { type FundResult, fundLocalnet } from "./ethereum.js";
export { probe } from "./health.js";
export { MANIFEST_FILE, Manifest, readManifest } from "./manifest.js";
export { groupMembers, logFile, peakRss, runningPid } from "./processes.js";
export {
  downLocalnet,
  formatStatusTable,
  localnetStatus,
  type ServiceState,
  type ServiceStatus,
  serviceLog,
  type UpOptions,
  type UpResult,
  upLocalnet,
} from "./runner.js";
export { type KeySource, keySource } from "./seed.js";
export {
  DEFAULT_TOPOLOGY,
  type HealthCheck,
  PORT_OFFSETS,
  PORT_RANGE,
  planServices,
  resolveTopology,
  type ServiceKind,
  type ServiceSpec,
  type Topology,
  type TopologyInput,
  TopologyOptions,
} from "./topology.js";
