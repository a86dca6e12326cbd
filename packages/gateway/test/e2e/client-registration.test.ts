import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import { createDirectory, type Directory } from "@nym-ts/directory";
import { generateX25519 } from "@nym-ts/mixnet";
import { initNodeKeys, type Libp2pTransportStats, MixClient } from "@nym-ts/mixnet-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/gateway.js";

const log = createLogger({ name: "test", level: "silent" });
const seed = () => new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32)));

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * MixClients registering at a real gateway over real sockets, many at once and across a gateway restart. Cover
 * traffic is off: the registration is the only frame a starting client sends, so a lost one is never made up for by
 * later traffic (which would reconnect the link and register again).
 */
describe("client registration at a gateway", () => {
  let dir: string;
  let directory: Directory;
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-registration-"));
    directory = createDirectory({ http: { port: 0 }, storage: { path: join(dir, "d.sqlite") } }, { log });
    await directory.start();
  }, 60_000);

  afterAll(async () => {
    await directory?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const gatewayAt = (dataDir: string, port: number): Gateway =>
    createGateway(
      { gateway: { port }, directory: { url: directory.url() }, storage: { dataDir }, http: { enabled: false } },
      { log },
    );

  const clientOf = (gateway: string): MixClient =>
    new MixClient(
      {
        identitySeed: seed(),
        encryptionSecret: generateX25519().secretKey,
        gateway,
        directoryUrl: directory.url(),
        traffic: { lambdaP: 0, lambdaD: 0, lambdaL: 0 },
      },
      { log },
    );

  it("20 clients made first, then started together, all register within 15 s", async () => {
    const dataDir = join(dir, `gw${n++}`);
    mkdirSync(dataDir, { mode: 0o700 });
    const keys = initNodeKeys(dataDir);
    const gateway = gatewayAt(dataDir, 0);
    await gateway.start();
    const clients = Array.from({ length: 20 }, () => clientOf(keys.identityKey));
    try {
      const t0 = Date.now();
      const results = await Promise.allSettled(clients.map((c) => c.start()));
      const failures = results.flatMap((r, i) => (r.status === "rejected" ? [`${i}: ${String(r.reason)}`] : []));
      expect(failures).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(gateway.transport.stats().linksOpen).toBe(20);
    } finally {
      await Promise.allSettled(clients.map((c) => c.stop()));
      await gateway.stop();
    }
  }, 60_000);

  it("a client whose registration was lost with a failed dial (gateway down) registers once the gateway is back", async () => {
    const dataDir = join(dir, `gw${n++}`);
    mkdirSync(dataDir, { mode: 0o700 });
    const keys = initNodeKeys(dataDir);
    const port = await freePort();
    // The gateway registers with the directory, then goes down: the client finds it in the topology, but its dial
    // is refused and the registration queued for that dial is dropped.
    const first = gatewayAt(dataDir, port);
    await first.start();
    await first.stop();
    const client = clientOf(keys.identityKey);
    let second: Gateway | undefined;
    try {
      const started = client.start();
      await new Promise((r) => setTimeout(r, 1500));
      const stats = client.transport.stats() as Libp2pTransportStats;
      expect(stats.dropped.dialFailed).toBeGreaterThanOrEqual(1);
      second = gatewayAt(dataDir, port);
      await second.start();
      await started;
      expect(second.stored(client.address.identityKey)).toBe(0);
      expect(second.transport.isConnected(client.address.identityKey)).toBe(true);
    } finally {
      await client.stop();
      await second?.stop();
    }
  }, 60_000);
});
