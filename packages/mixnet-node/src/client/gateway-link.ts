import type { Logger } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import { encodeRegister, type Hop, type MailboxMode, type MixTransport, TopologyIndex } from "@nym-ts/mixnet";
import { hostPortToMultiaddr, type SkippedNode, topologyFromDirectory } from "../directory-topology.js";

/**
 * The client's view of the network: the directory's topology (refreshed with ETags) and the one link to its own
 * gateway, through which every frame leaves.
 */
export class GatewayLink {
  index = new TopologyIndex({ mixnodes: [], gateways: [] });
  private hop: Hop | undefined;
  private etag: string | undefined;

  constructor(
    private readonly deps: {
      transport: MixTransport;
      directory: DirectoryClient;
      /** Our gateway's identity key, raw and hex. */
      gateway: Uint8Array;
      gatewayHex: string;
      log: Logger;
      /** How many topology entries a refresh left out (keys or address that do not load). */
      onSkipped?: (count: number) => void;
    },
  ) {}

  /** True once the gateway was found in the topology. */
  get known(): boolean {
    return this.hop !== undefined;
  }

  isGateway(peer: Uint8Array): boolean {
    return Buffer.from(peer).equals(Buffer.from(this.deps.gateway));
  }

  async refreshTopology(): Promise<void> {
    try {
      const result = await this.deps.directory.getTopology(this.etag);
      if (!result.modified) return;
      this.etag = result.etag;
      const skipped: SkippedNode[] = [];
      this.index = new TopologyIndex(topologyFromDirectory(result.topology, (node) => skipped.push(node)));
      if (skipped.length > 0) {
        this.deps.onSkipped?.(skipped.length);
        this.deps.log.warn({ skipped }, "topology nodes with unusable keys or addresses skipped");
      }
      // Our gateway only when its keys loaded: an unusable entry leaves the previous hop (or none) in place.
      const gw = result.topology.gateways.find((g) => g.identityKey === this.deps.gatewayHex);
      if (gw && this.index.gateway(this.deps.gateway) !== undefined) {
        this.hop = {
          identityKey: this.deps.gateway,
          sphinxKey: new Uint8Array(Buffer.from(gw.sphinxKey, "hex")),
          address: hostPortToMultiaddr(gw.clientAddress),
        };
      }
    } catch (error) {
      this.deps.log.warn({ err: (error as Error).message }, "topology refresh failed");
    }
  }

  /** Sends one frame to the gateway; dropped while the gateway is unknown. */
  send(frame: Uint8Array): void {
    const gw = this.hop;
    if (!gw) return;
    this.deps.transport.send({ id: gw.identityKey, address: gw.address }, frame);
  }

  register(mode: MailboxMode): void {
    this.send(encodeRegister(mode));
  }
}
