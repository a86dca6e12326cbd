import { MixnetError } from "./errors.js";
import { cryptoRandom, pick, type Random } from "./random.js";

/** A mix node as routes see it. Keys are raw 32-byte values; `address` is a libp2p multiaddr without `/p2p/`. */
export interface MixNodeInfo {
  identityKey: Uint8Array;
  sphinxKey: Uint8Array;
  layer: number;
  address: string;
}

/** A gateway (Loopix provider): first hop for its clients, last hop into their mailboxes. */
export interface GatewayInfo {
  identityKey: Uint8Array;
  sphinxKey: Uint8Array;
  address: string;
}

export interface Topology {
  mixnodes: MixNodeInfo[];
  gateways: GatewayInfo[];
}

/** One Sphinx hop: the node's identity (its 32-byte Sphinx address), its Sphinx key and where to reach it. */
export type Hop = { identityKey: Uint8Array; sphinxKey: Uint8Array; address: string };

export const LAYERS = 3;

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Index by identity key, for a mix to find the next hop named in a packet (packets to unknown nodes are refused). */
/** A node as the index holds it: its hop, its layer, and its identity key in hex (computed once, for counters). */
export type IndexedHop = Hop & { layer: number | "gateway"; id: string };

export class TopologyIndex {
  private readonly byId = new Map<string, IndexedHop>();
  constructor(readonly topology: Topology) {
    for (const node of topology.mixnodes) {
      const id = hex(node.identityKey);
      this.byId.set(id, { ...node, id });
    }
    for (const gw of topology.gateways) {
      const id = hex(gw.identityKey);
      this.byId.set(id, { ...gw, layer: "gateway", id });
    }
  }
  get(identityKey: Uint8Array): IndexedHop | undefined {
    return this.byId.get(hex(identityKey));
  }
  layer(n: number): MixNodeInfo[] {
    return this.topology.mixnodes.filter((node) => node.layer === n);
  }
  gateway(identityKey: Uint8Array): GatewayInfo | undefined {
    const id = hex(identityKey);
    return this.topology.gateways.find((gw) => hex(gw.identityKey) === id);
  }
}

export interface RouteOptions {
  random?: Random;
  /** Identity keys (hex) to avoid when the layer has another node: nodes whose loops or acks went missing. */
  avoid?: ReadonlySet<string>;
}

function chooseInLayer(index: TopologyIndex, layer: number, options: RouteOptions): MixNodeInfo {
  const all = index.layer(layer);
  if (all.length === 0) throw new MixnetError("MIXNET_ERROR_NO_ROUTE", `no mix node in layer ${layer}`);
  const avoid = options.avoid;
  const healthy = avoid ? all.filter((node) => !avoid.has(hex(node.identityKey))) : all;
  return pick(healthy.length > 0 ? healthy : all, options.random ?? cryptoRandom);
}

/**
 * A forward route for a client packet: one mix per layer (1, 2, 3) chosen uniformly, then the recipient's gateway.
 * The sender's gateway is not a Sphinx hop: the client hands it the packet with the first hop (as nym does).
 */
export function chooseRoute(index: TopologyIndex, destinationGateway: Uint8Array, options: RouteOptions = {}): Hop[] {
  const gateway = index.gateway(destinationGateway);
  if (!gateway) throw new MixnetError("MIXNET_ERROR_NO_ROUTE", "the destination gateway is not in the topology");
  const route: Hop[] = [];
  for (let layer = 1; layer <= LAYERS; layer++) route.push(chooseInLayer(index, layer, options));
  route.push(gateway);
  return route;
}

/**
 * A mix node's own loop (Loopix lambdaM): through the layers after its own, a gateway, the layers before it, and back
 * to itself, so every loop crosses each layer once and ends where it started.
 */
export function chooseMixLoopRoute(index: TopologyIndex, self: MixNodeInfo, options: RouteOptions = {}): Hop[] {
  const random = options.random ?? cryptoRandom;
  if (index.topology.gateways.length === 0) throw new MixnetError("MIXNET_ERROR_NO_ROUTE", "no gateway");
  const route: Hop[] = [];
  for (let layer = self.layer + 1; layer <= LAYERS; layer++) route.push(chooseInLayer(index, layer, options));
  route.push(pick(index.topology.gateways, random));
  for (let layer = 1; layer < self.layer; layer++) route.push(chooseInLayer(index, layer, options));
  route.push(self);
  return route;
}

export { hex as idHex };
