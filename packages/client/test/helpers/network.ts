import { createLogger } from "@nym-ts/common";
import { generateX25519 } from "@nym-ts/mixnet";
import { MixClient, type TrafficOptions } from "@nym-ts/mixnet-node";
import { type LoopbackMixnet, type LoopbackMixnetOptions, startLoopbackMixnet } from "@nym-ts/testkit";

export const silentLog = createLogger({ name: "test", level: "silent" });

/** A loopback mixnet (@nym-ts/testkit) plus the clients a test made on it, stopped with it. */
export interface Network extends LoopbackMixnet {
  /** A started client on gateway `gateway`, with fast traffic (lambdaP 200, mean delay 2 ms) unless overridden. */
  newClient(
    gateway: number,
    traffic?: Partial<TrafficOptions>,
    mode?: "push" | "pull",
    keys?: { identitySeed: Uint8Array; encryptionSecret: Uint8Array },
  ): Promise<MixClient>;
}

export async function startNetwork(options: LoopbackMixnetOptions): Promise<Network> {
  const mixnet = await startLoopbackMixnet(options);
  const clients: MixClient[] = [];
  return {
    ...mixnet,
    async refreshAll() {
      await mixnet.refreshAll();
      await Promise.all(clients.map((c) => c.refreshTopology()));
    },
    async newClient(gateway, traffic = {}, mode = "push", keys = undefined) {
      const g = mixnet.gateways[gateway];
      if (!g) throw new RangeError(`no gateway ${gateway}`);
      const client = new MixClient(
        {
          identitySeed: keys?.identitySeed ?? new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32))),
          encryptionSecret: keys?.encryptionSecret ?? generateX25519().secretKey,
          gateway: g.identityKey,
          directoryUrl: mixnet.directoryUrl,
          mailboxMode: mode,
          topologyRefreshMs: 1000,
          traffic: { lambdaP: 200, lambdaD: 5, lambdaL: 5, meanDelayMs: 2, ackTimeoutExtraMs: 1500, ...traffic },
        },
        { log: silentLog },
      );
      await client.start();
      clients.push(client);
      return client;
    },
    async stop(stopOptions) {
      await Promise.allSettled(clients.map((c) => c.stop()));
      await mixnet.stop(stopOptions);
    },
  };
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
