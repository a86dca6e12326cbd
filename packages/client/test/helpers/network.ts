import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@nym-ts/common";
import { createDirectory, type Directory } from "@nym-ts/directory";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { createGateway, type Gateway } from "@nym-ts/gateway";
import { generateX25519 } from "@nym-ts/mixnet";
import { initNodeKeys } from "@nym-ts/mixnet-node";
import { createMixnode, type Mixnode } from "@nym-ts/mixnode";
import { MixClient, type TrafficOptions } from "../../src/mix-client.js";

export const silentLog = createLogger({ name: "test", level: "silent" });

/** A mixnode running as its own process (src/bin.ts), so a test can SIGKILL it. */
export interface MixnodeProcess {
  identityKey: string;
  layer: number;
  child: ChildProcess;
}

export interface Network {
  dir: string;
  directory: Directory;
  /** The in-process mixnodes. */
  mixnodes: Mixnode[];
  /** The mixnodes running as child processes. */
  processes: MixnodeProcess[];
  gateways: Gateway[];
  /** Restarts gateway i on the same port and data directory (its mailboxes and replay tags are on disk). */
  restartGateway(i: number): Promise<void>;
  refreshAll(): Promise<void>;
  newClient(
    gateway: number,
    traffic?: Partial<TrafficOptions>,
    mode?: "push" | "pull",
    keys?: { identitySeed: Uint8Array; encryptionSecret: Uint8Array },
  ): Promise<MixClient>;
  stop(): Promise<void>;
}

/** A loopback network: a directory, `perLayer` mixnodes in each of 3 layers, and `gateways` gateways. */
export async function startNetwork(options: {
  perLayer: number;
  gateways: number;
  loopRate?: number;
  /** Layers (1..3) in which one of the `perLayer` nodes runs as a child process instead of in this process. */
  processLayers?: number[];
}): Promise<Network> {
  const dir = mkdtempSync(join(tmpdir(), "mixnet-e2e-"));
  const directory = createDirectory(
    {
      http: { port: 0 },
      storage: { path: join(dir, "directory.sqlite") },
      rateLimit: { writesPerKeyPerMinute: 100_000, writesPerAddressPerMinute: 1_000_000 },
    },
    { log: silentLog },
  );
  await directory.start();
  const url = directory.url();
  const dirs: string[] = [];
  const fresh = (name: string): string => {
    const d = join(dir, name);
    mkdirSync(d, { mode: 0o700 });
    initNodeKeys(d);
    dirs.push(d);
    return d;
  };
  const fast = { url, registerIntervalMs: 2000, topologyRefreshMs: 1000 };
  const mixnodes: Mixnode[] = [];
  const processes: MixnodeProcess[] = [];
  const bin = fileURLToPath(new URL("../../../mixnode/src/bin.ts", import.meta.url));
  for (let layer = 1; layer <= 3; layer++) {
    for (let i = 0; i < options.perLayer; i++) {
      if (i === 0 && options.processLayers?.includes(layer)) {
        const dataDir = join(dir, `mixproc-${layer}`);
        mkdirSync(dataDir, { mode: 0o700 });
        const keys = initNodeKeys(dataDir);
        const config = join(dataDir, "config.json");
        writeFileSync(
          config,
          JSON.stringify({
            mixnode: { layer, port: 0 },
            directory: { ...fast, metricsIntervalMs: 1000 },
            mixing: { loopRate: options.loopRate ?? 0, loopMeanDelayMs: 2, loopTimeoutMs: 2000 },
            storage: { dataDir },
            http: { enabled: false },
            log: { level: "warn" },
          }),
        );
        const child = spawn(
          process.execPath,
          ["--conditions=@nym-ts/source", "--import", "tsx", bin, "run", "--config", config],
          { stdio: ["ignore", "ignore", "inherit"] },
        );
        processes.push({ identityKey: keys.identityKey, layer, child });
        continue;
      }
      const m = createMixnode(
        {
          mixnode: { layer, port: 0 },
          directory: { ...fast, metricsIntervalMs: 1000 },
          mixing: { loopRate: options.loopRate ?? 0, loopMeanDelayMs: 2, loopTimeoutMs: 2000 },
          storage: { dataDir: fresh(`mix-${layer}-${i}`) },
          http: { enabled: false },
        },
        { log: silentLog },
      );
      await m.start();
      mixnodes.push(m);
    }
  }
  // Wait until the child processes have registered.
  const dirClient = createDirectoryClient({ baseUrl: url });
  for (const p of processes) {
    const deadline = Date.now() + 30_000;
    while (!(await dirClient.getPresence("mixnode", p.identityKey))) {
      if (Date.now() > deadline) throw new Error("a mixnode process did not register");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const gatewayDirs: string[] = [];
  const gatewayPorts: number[] = [];
  const gateways: Gateway[] = [];
  for (let i = 0; i < options.gateways; i++) {
    const d = fresh(`gw-${i}`);
    gatewayDirs.push(d);
    const g = createGateway(
      { gateway: { port: 0 }, directory: fast, storage: { dataDir: d }, http: { enabled: false } },
      { log: silentLog },
    );
    await g.start();
    gatewayPorts.push(Number(g.transport.listenAddresses()[0]?.split("/").at(-1)));
    gateways.push(g);
  }
  const clients: MixClient[] = [];
  const network: Network = {
    dir,
    directory,
    mixnodes,
    processes,
    gateways,
    async refreshAll() {
      await Promise.all([...mixnodes, ...gateways].map((n) => n.refreshTopology()));
      await Promise.all(clients.map((c) => c.refreshTopology()));
    },
    async restartGateway(i) {
      await gateways[i]?.stop();
      const g = createGateway(
        {
          gateway: { port: gatewayPorts[i] as number },
          directory: fast,
          storage: { dataDir: gatewayDirs[i] as string },
          http: { enabled: false },
        },
        { log: silentLog },
      );
      await g.start();
      gateways[i] = g;
    },
    async newClient(gateway, traffic = {}, mode = "push", keys = undefined) {
      const g = gateways[gateway] as Gateway;
      const client = new MixClient(
        {
          identitySeed: keys?.identitySeed ?? new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32))),
          encryptionSecret: keys?.encryptionSecret ?? generateX25519().secretKey,
          gateway: g.identityKey,
          directoryUrl: url,
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
    async stop() {
      for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      await Promise.allSettled(clients.map((c) => c.stop()));
      await Promise.allSettled([...mixnodes, ...gateways].map((n) => n.stop()));
      await directory.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await network.refreshAll();
  return network;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
