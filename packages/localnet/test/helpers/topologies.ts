import type { TopologyInput } from "../../src/topology.js";

/** Two validators and two issuers (t = 2), so that peers and the dealer's shares are exercised; one of the rest. */
export const SMALL_TOPOLOGY: TopologyInput = {
  validators: 2,
  watchers: 1,
  issuers: 2,
  threshold: 2,
  verifiers: 1,
  providers: 1,
  mixLayers: 3,
  mixnodesPerLayer: 1,
  gateways: 1,
  basePort: 25_000,
};

/** The smallest whole network: one of each (issuer t = 1), one mixnode per layer. */
export const TINY_TOPOLOGY: TopologyInput = {
  validators: 1,
  watchers: 1,
  issuers: 1,
  threshold: 1,
  verifiers: 1,
  providers: 1,
  mixLayers: 3,
  mixnodesPerLayer: 1,
  gateways: 1,
};
