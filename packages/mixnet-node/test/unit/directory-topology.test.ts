import { createLogger } from "@nym-ts/common";
import {
  type DirectoryClient,
  type Topology as DirectoryTopology,
  generateEd25519Identity,
} from "@nym-ts/directory-client";
import { generateX25519, type MixTransport } from "@nym-ts/mixnet";
import { describe, expect, it } from "vitest";
import { GatewayLink } from "../../src/client/gateway-link.js";
import { type SkippedNode, topologyFromDirectory } from "../../src/directory-topology.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const identity = () => generateEd25519Identity().signer.publicKey;
const sphinx = () => hex(generateX25519().publicKey);
const mix = (layer: number, sphinxKey = sphinx(), host = "10.0.0.1:1789", identityKey = identity()) => ({
  identityKey,
  sphinxKey,
  host,
  layer,
  version: "t",
});
const gateway = (sphinxKey = sphinx(), identityKey = identity()) => ({
  identityKey,
  sphinxKey,
  mixnetAddress: "10.0.0.9:1789",
  clientAddress: "10.0.0.9:9000",
  version: "t",
});
const topology = (mixnodes: ReturnType<typeof mix>[], gateways: ReturnType<typeof gateway>[]): DirectoryTopology => ({
  mixnodes: [1, 2, 3].map((layer) => ({ layer, nodes: mixnodes.filter((m) => m.layer === layer) })),
  gateways,
  validators: [],
  issuers: [],
  verifiers: [],
  serviceProviders: [],
});

describe("topologyFromDirectory", () => {
  it("skips and reports nodes whose keys do not load, keeps the others", () => {
    const zero = mix(2, "00".repeat(32));
    const order8 = mix(3, "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    const topBit = mix(1, `${"11".repeat(31)}ff`);
    const smallOrderIdentity = mix(1, sphinx(), "10.0.0.2:1789", `01${"00".repeat(31)}`);
    const fine = [mix(1), mix(2), mix(3)];
    const badGateway = gateway("00".repeat(32));
    const goodGateway = gateway();
    const skipped: SkippedNode[] = [];
    const out = topologyFromDirectory(
      topology([...fine, zero, order8, topBit, smallOrderIdentity], [badGateway, goodGateway]),
      (node) => skipped.push(node),
    );
    expect(out.mixnodes.map((m) => hex(m.identityKey)).sort()).toEqual(fine.map((m) => m.identityKey).sort());
    expect(out.gateways.map((g) => hex(g.identityKey))).toEqual([goodGateway.identityKey]);
    expect(skipped).toHaveLength(5);
    expect(skipped).toContainEqual({ kind: "mixnode", identityKey: zero.identityKey, reason: "sphinx_key" });
    expect(skipped).toContainEqual({
      kind: "mixnode",
      identityKey: smallOrderIdentity.identityKey,
      reason: "identity_key",
    });
    expect(skipped).toContainEqual({ kind: "gateway", identityKey: badGateway.identityKey, reason: "sphinx_key" });
  });

  it("the client's gateway link counts skipped nodes and never takes a gateway whose key does not load", async () => {
    const ownGateway = gateway("00".repeat(32));
    let served = topology([mix(1), mix(2, "00".repeat(32)), mix(3)], [ownGateway]);
    const directory = {
      getTopology: async () => ({ modified: true, etag: `"${Math.random()}"`, topology: served }),
    } as unknown as DirectoryClient;
    let skipped = 0;
    const link = new GatewayLink({
      transport: {} as MixTransport,
      directory,
      gateway: new Uint8Array(Buffer.from(ownGateway.identityKey, "hex")),
      gatewayHex: ownGateway.identityKey,
      log: createLogger({ name: "test", level: "silent" }),
      onSkipped: (n) => {
        skipped += n;
      },
    });
    await link.refreshTopology();
    expect(skipped).toBe(2);
    expect(link.known).toBe(false);
    expect(link.index.topology.mixnodes).toHaveLength(2);
    // Once the gateway registers a usable key, it is taken.
    served = topology([mix(1), mix(2), mix(3)], [{ ...ownGateway, sphinxKey: sphinx() }]);
    await link.refreshTopology();
    expect(link.known).toBe(true);
    expect(skipped).toBe(2);
  });
});
