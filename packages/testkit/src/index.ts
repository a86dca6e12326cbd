/**
 * @nym-ts/testkit: launchers for the real components that tests, benchmarks and the localnet run on loopback:
 * N-validator CometBFT networks driving our ledger (or CometBFT's kvstore as a benchmark baseline), anvil, and
 * loopback mixnets. Production packages never import it (a lint rule checks this).
 *
 * @example
 * const net = await startTestnet({ validators: 4, dir: "/tmp/net", appState });
 * const anvil = await startAnvil({ blockTime: 1 });
 * const mixnet = await startLoopbackMixnet({ mixnodesPerLayer: 2, gateways: 2 });
 * // ... run the test against net.nodes[0].rpcUrl and anvil.url
 * await anvil.stop();
 * await net.stop();
 */

export {
  ANVIL_CHAIN_ID,
  ANVIL_DEFAULT_MNEMONIC,
  type Anvil,
  type AnvilOptions,
  anvilDevKeys,
  startAnvil,
} from "./anvil.js";
export {
  type CredentialNetwork,
  type CredentialNetworkOptions,
  type NetworkDaemon,
  type NetworkIssuer,
  type NetworkServiceProvider,
  startCredentialNetwork,
} from "./credential-network.js";
export {
  type LoopbackMixing,
  type LoopbackMixnet,
  type LoopbackMixnetOptions,
  type LoopbackMixnode,
  type MixnodeProcess,
  mixnodeSourceCommand,
  startLoopbackMixnet,
} from "./loopback-mixnet.js";
export {
  type AppSpec,
  type CometNodePlan,
  cometNodeSettings,
  editToml,
  nodeIdOf,
  rpcHeight,
  startTestnet,
  type Testnet,
  type TestnetNode,
  type TestnetOptions,
  validatorCommand,
} from "./testnet.js";
