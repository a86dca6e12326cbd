import {
  type Topology as DirectoryTopology,
  isStrictEd25519PublicKey,
  isValidX25519PublicKeyBytes,
} from "@nym-ts/directory-client";
import type { GatewayInfo, MixNodeInfo, Topology } from "@nym-ts/mixnet";
import { MixnetError } from "@nym-ts/mixnet";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** `host:port` (as the directory stores it) to a libp2p TCP multiaddr. */
export function hostPortToMultiaddr(hostPort: string): string {
  const cut = hostPort.lastIndexOf(":");
  if (cut <= 0) throw new MixnetError("MIXNET_ERROR_NO_ROUTE", `not host:port: ${hostPort}`);
  const host = hostPort.slice(0, cut);
  const port = hostPort.slice(cut + 1);
  if (host.startsWith("[") && host.endsWith("]")) return `/ip6/${host.slice(1, -1)}/tcp/${port}`;
  if (IPV4.test(host)) return `/ip4/${host}/tcp/${port}`;
  return `/dns/${host}/tcp/${port}`;
}

/** A libp2p TCP multiaddr back to `host:port`. */
export function multiaddrToHostPort(address: string): string {
  const m = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)$/.exec(address);
  if (!m) throw new MixnetError("MIXNET_ERROR_NO_ROUTE", `not a TCP multiaddr: ${address}`);
  return m[1] === "ip6" ? `[${m[2]}]:${m[3]}` : `${m[2]}:${m[3]}`;
}

const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));

/** A node of the directory's topology that a consumer left out, and why. */
export interface SkippedNode {
  kind: "mixnode" | "gateway";
  identityKey: string;
  reason: "identity_key" | "sphinx_key" | "address";
}

/** The node's keys and address as routes use them, or why they cannot be used. */
function load(
  identityKey: string,
  sphinxKey: string,
  hostPort: string,
): { identityKey: Uint8Array; sphinxKey: Uint8Array; address: string } | SkippedNode["reason"] {
  const identity = bytes(identityKey);
  if (!isStrictEd25519PublicKey(identity)) return "identity_key";
  const sphinx = bytes(sphinxKey);
  if (!isValidX25519PublicKeyBytes(sphinx)) return "sphinx_key";
  try {
    return { identityKey: identity, sphinxKey: sphinx, address: hostPortToMultiaddr(hostPort) };
  } catch {
    return "address";
  }
}

/**
 * The directory's topology (hex keys, host:port) as routes use it (raw keys, multiaddrs). A node whose keys do not
 * load (a zero, small-order or non-canonical Sphinx key, a non-canonical or small-order identity key) or whose address
 * does not parse is left out and passed to `onSkip`: a packet built through it could not be made or delivered, and
 * one such registration must not take down every node that routes over the topology.
 */
export function topologyFromDirectory(
  topology: DirectoryTopology,
  onSkip: (node: SkippedNode) => void = () => {},
): Topology {
  const mixnodes: MixNodeInfo[] = [];
  for (const layer of topology.mixnodes) {
    for (const node of layer.nodes) {
      const loaded = load(node.identityKey, node.sphinxKey, node.host);
      if (typeof loaded === "string") onSkip({ kind: "mixnode", identityKey: node.identityKey, reason: loaded });
      else mixnodes.push({ ...loaded, layer: node.layer });
    }
  }
  const gateways: GatewayInfo[] = [];
  for (const gw of topology.gateways) {
    const loaded = load(gw.identityKey, gw.sphinxKey, gw.mixnetAddress);
    if (typeof loaded === "string") onSkip({ kind: "gateway", identityKey: gw.identityKey, reason: loaded });
    else gateways.push(loaded);
  }
  return { mixnodes, gateways };
}
