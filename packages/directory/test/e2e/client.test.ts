import {
  createDirectoryClient,
  type DirectoryClient,
  DirectoryClientError,
  generateEd25519Identity,
} from "@nym-ts/directory-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Directory } from "../../src/index.js";
import { mixnode, randomSphinxKeyHex, startDirectory } from "../helpers/fixtures.js";

describe("typed client against the directory on a real port", () => {
  let directory: Directory;
  let stop: () => Promise<void>;
  let client: DirectoryClient;

  beforeAll(async () => {
    ({ directory, stop } = await startDirectory({ http: { host: "127.0.0.1", port: 0 } }, Date.now));
    await directory.start();
    client = createDirectoryClient({ baseUrl: directory.url() });
  });
  afterAll(async () => {
    await stop();
  });

  it("registers nodes, reads them back, polls the topology with its ETag and reports metrics", async () => {
    expect((await client.health()).status).toBe("ok");
    const mix = generateEd25519Identity().signer;
    const gw = generateEd25519Identity().signer;
    const node = mixnode(mix, 2, "127.0.0.1:1789");
    const result = await client.register("mixnode", node, mix);
    expect(result).toMatchObject({ kind: "mixnode", identityKey: mix.publicKey, created: true });
    // Renewing at once works: the client keeps its timestamps strictly increasing per key.
    expect((await client.register("mixnode", node, mix)).created).toBe(false);
    await client.register(
      "gateway",
      {
        identityKey: gw.publicKey,
        sphinxKey: randomSphinxKeyHex(),
        mixnetAddress: "127.0.0.1:1790",
        clientAddress: "127.0.0.1:9000",
        version: "0.1.0",
      },
      gw,
    );

    const first = await client.getTopology();
    if (!first.modified) throw new Error("expected a topology");
    expect(first.topology.mixnodes[1]?.nodes).toEqual([node]);
    expect(first.topology.gateways[0]?.identityKey).toBe(gw.publicKey);
    const again = await client.getTopology(first.etag);
    expect(again).toEqual({ modified: false, etag: first.etag });

    const listed = await client.listPresence("mixnode");
    expect(listed.map((p) => p.node)).toEqual([node]);
    expect((await client.getPresence("gateway", gw.publicKey))?.node.mixnetAddress).toBe("127.0.0.1:1790");
    expect(await client.getPresence("gateway", mix.publicKey)).toBeUndefined();

    const accepted = await client.reportMixnodeMetrics(
      { identityKey: mix.publicKey, received: 5, sent: { [gw.publicKey]: 4 }, dropped: 1, intervalMs: 1000 },
      mix,
    );
    expect(accepted.nextReportInMs).toBeGreaterThan(0);
    expect(await client.getMetricsTotals()).toEqual({ received: 5, sent: 4, dropped: 1, reports: 1, nodes: 1 });
    expect((await client.getMixnodeMetrics()).nodes[0]?.identityKey).toBe(mix.publicKey);
    expect((await client.getNodeMetrics(mix.publicKey)).reports[0]?.sent).toEqual({ [gw.publicKey]: 4 });

    expect(await client.deregister("mixnode", mix)).toEqual({
      kind: "mixnode",
      identityKey: mix.publicKey,
      removed: true,
    });
    const after = await client.getTopology(first.etag);
    expect(after.modified).toBe(true);
  });

  it("surfaces the server's error code and status", async () => {
    const { signer } = generateEd25519Identity();
    const error = await client
      .reportMixnodeMetrics({ identityKey: signer.publicKey, received: 0, sent: {}, dropped: 0, intervalMs: 1 }, signer)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryClientError);
    expect((error as DirectoryClientError).details).toMatchObject({
      status: 403,
      code: "DIRECTORY_ERROR_NOT_REGISTERED",
    });
    const wrongSigner = generateEd25519Identity().signer;
    await expect(client.register("mixnode", mixnode(signer), wrongSigner)).rejects.toThrow(TypeError);
  });

  it("reports a network failure as DIRECTORY_CLIENT_ERROR_NETWORK", async () => {
    const dead = createDirectoryClient({ baseUrl: "http://127.0.0.1:1", timeoutMs: 2000 });
    const error = await dead.getTopology().catch((e: unknown) => e);
    expect((error as DirectoryClientError).code).toBe("DIRECTORY_CLIENT_ERROR_NETWORK");
  });
});
