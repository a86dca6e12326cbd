import type { Logger } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import { encodeRegister, type Hop, type MailboxMode, type MixTransport, TopologyIndex } from "@nym-ts/mixnet";
import { hostPortToMultiaddr, topologyFromDirectory } from "../directory-topology.js";

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
      this.index = new TopologyIndex(topologyFromDirectory(result.topology));
      const gw = result.topology.gateways.find((g) => g.identityKey === this.deps.gatewayHex);
      if (gw) {
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
