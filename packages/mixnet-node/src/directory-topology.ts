import type { Topology as DirectoryTopology } from "@nym-ts/directory-client";
import type { Topology } from "@nym-ts/mixnet";
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

/** The directory's topology (hex keys, host:port) as routes use it (raw keys, multiaddrs). */
export function topologyFromDirectory(topology: DirectoryTopology): Topology {
  return {
    mixnodes: topology.mixnodes.flatMap((layer) =>
      layer.nodes.map((node) => ({
        identityKey: bytes(node.identityKey),
        sphinxKey: bytes(node.sphinxKey),
        layer: node.layer,
        address: hostPortToMultiaddr(node.host),
      })),
    ),
    gateways: topology.gateways.map((gw) => ({
      identityKey: bytes(gw.identityKey),
      sphinxKey: bytes(gw.sphinxKey),
      address: hostPortToMultiaddr(gw.mixnetAddress),
    })),
  };
}
