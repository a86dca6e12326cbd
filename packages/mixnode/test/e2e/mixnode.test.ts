import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@nym-ts/common";
import { createDirectory, type Directory } from "@nym-ts/directory";
import { createDirectoryClient, ed25519SignerFromSeed } from "@nym-ts/directory-client";
import { encodeMixPacket, generateX25519, type MixTransport, nymSphinx } from "@nym-ts/mixnet";
import { createLibp2pTransport, initNodeKeys, multiaddrToHostPort } from "@nym-ts/mixnet-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMixnode } from "../../src/mixnode.js";

const log = createLogger({ name: "test", level: "silent" });
const bin = fileURLToPath(new URL("../../src/bin.ts", import.meta.url));
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

const seed = () => new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32)));

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Registers a listening transport with the directory as a gateway: a next hop mixes may forward to. */
async function registerAsGateway(
  directoryUrl: string,
  transport: MixTransport,
  identitySeed: Uint8Array,
  sphinxPublicKey: Uint8Array,
): Promise<string> {
  const signer = ed25519SignerFromSeed(identitySeed);
  const hostPort = multiaddrToHostPort(transport.listenAddresses()[0] as string);
  await createDirectoryClient({ baseUrl: directoryUrl }).register(
    "gateway",
    {
      identityKey: signer.publicKey,
      sphinxKey: Buffer.from(sphinxPublicKey).toString("hex"),
      mixnetAddress: hostPort,
      clientAddress: hostPort,
      version: "test",
    },
    signer,
  );
  return signer.publicKey;
}

describe("nym-mixnode", () => {
  let dir: string;
  let directory: Directory;
  let sink: MixTransport;
  const sinkSphinx = generateX25519();
  const sinkSeed = seed();
  let sinkFrames = 0;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mixnode-e2e-"));
    directory = createDirectory(
      {
        http: { port: 0 },
        storage: { path: join(dir, "d.sqlite") },
        rateLimit: { writesPerKeyPerMinute: 100_000, writesPerAddressPerMinute: 1_000_000 },
      },
      { log },
    );
    await directory.start();
    // A next hop for the mix: registered as a gateway, counting what it gets.
    sink = createLibp2pTransport({ identitySeed: sinkSeed, listen: ["/ip4/127.0.0.1/tcp/0"] });
    sink.onFrame(() => {
      sinkFrames++;
    });
    await sink.start();
    await registerAsGateway(directory.url(), sink, sinkSeed, sinkSphinx.publicKey);
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await sink?.stop();
    await directory?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A packet through `mix`, then to the next hop (the suite's sink unless another is named). */
  const packetVia = (
    mix: { identityKey: string; sphinxKey: string },
    next = { identityKey: ed25519SignerFromSeed(sinkSeed).publicKey, sphinxKey: sinkSphinx.publicKey },
  ) =>
    nymSphinx.createPacket({
      route: [
        { address: Buffer.from(mix.identityKey, "hex"), publicKey: Buffer.from(mix.sphinxKey, "hex") },
        { address: Buffer.from(next.identityKey, "hex"), publicKey: next.sphinxKey },
      ],
      delaysMs: [0, 0],
      destination: new Uint8Array(32),
      identifier: new Uint8Array(16),
      message: new Uint8Array(8),
      payloadSize: 2065,
    });

  it("runs as a process: registers, forwards, reports signed metrics, stops on SIGTERM", async () => {
    const dataDir = join(dir, "bin");
    const init = spawn(process.execPath, [
      "--conditions=@nym-ts/source",
      "--import",
      "tsx",
      bin,
      "init",
      "--storage.dataDir",
      dataDir,
    ]);
    let initOut = "";
    init.stdout.on("data", (d) => {
      initOut += d;
    });
    await new Promise((r) => init.on("exit", r));
    const keys = JSON.parse(initOut) as { identityKey: string; sphinxKey: string };
    const httpPort = await freePort();
    const config = join(dir, "bin.json");
    writeFileSync(
      config,
      JSON.stringify({
        mixnode: { layer: 1, port: 0 },
        directory: { url: directory.url(), metricsIntervalMs: 300, topologyRefreshMs: 200 },
        storage: { dataDir },
        http: { port: httpPort },
        log: { level: "warn" },
      }),
    );
    const child = spawn(
      process.execPath,
      ["--conditions=@nym-ts/source", "--import", "tsx", bin, "run", "--config", config],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    children.push(child);
    const client = createDirectoryClient({ baseUrl: directory.url() });
    const presence = await until(() => client.getPresence("mixnode", keys.identityKey), 30_000, "registration");
    expect(presence.node.layer).toBe(1);
    expect(presence.node.sphinxKey).toBe(keys.sphinxKey);
    await new Promise((r) => setTimeout(r, 500)); // the node has fetched a topology that includes the sink

    const load = createLibp2pTransport({ identitySeed: seed(), listen: [] });
    await load.start();
    try {
      const before = sinkFrames;
      const target = {
        id: Buffer.from(keys.identityKey, "hex"),
        address: `/ip4/${presence.node.host.replace(":", "/tcp/")}`,
      };
      for (let i = 0; i < 20; i++) load.send(target, encodeMixPacket(packetVia(keys)));
      load.send(target, encodeMixPacket(new Uint8Array(100))); // malformed
      await until(() => sinkFrames - before >= 20 || undefined, 15_000, "20 forwarded packets");
      const metrics = await until(
        async () => {
          const h = await client.getNodeMetrics(keys.identityKey);
          const received = h.reports.reduce((n, r) => n + r.received, 0);
          return received >= 21 ? h : undefined;
        },
        15_000,
        "metrics",
      );
      expect(metrics.reports.reduce((n, r) => n + r.dropped, 0)).toBeGreaterThanOrEqual(1);
      const health = await fetch(`http://127.0.0.1:${httpPort}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe("ok");
      const prom = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      expect(prom).toMatch(/nym_mixnode_packets_forwarded_total (2\d|[3-9]\d|\d{3,})/);
      expect(prom).toMatch(/nym_mixnode_packets_dropped_total\{reason="malformed"\} [1-9]/);
    } finally {
      await load.stop();
    }
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.on("exit", r));
    expect(code).toBe(0);
  }, 90_000);

  it("is on PATH as nym-mixnode from .tools/bin (scripts/bootstrap.sh), from any directory", async () => {
    const wrapper = fileURLToPath(new URL("../../../../.tools/bin/nym-mixnode", import.meta.url));
    const child = spawn(wrapper, ["--help"], { cwd: tmpdir(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    expect(await new Promise((r) => child.on("exit", r))).toBe(0);
    expect(out).toMatch(/^usage: nym-mixnode /);
    expect(out).toMatch(/--mixing\.countersLogIntervalMs/);
  }, 60_000);

  it("refuses an invalid config with a clear error and a non-zero exit", async () => {
    const child = spawn(
      process.execPath,
      ["--conditions=@nym-ts/source", "--import", "tsx", bin, "run", "--mixnode.layer", "7", "--validate-only"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    const code = await new Promise((r) => child.on("exit", r));
    expect(code).toBe(2); // every daemon exits 2 on a bad config (runDaemonMain)
    expect(err).toMatch(/CONFIG_ERROR_INVALID/);
    expect(err).toMatch(/mixnode\.layer/);
  }, 30_000);

  /** Keys in a fresh data directory, and a factory of in-process layer-1 mixnodes on them. */
  const inProcess = (name: string, topologyRefreshMs: number) => {
    const dataDir = join(dir, name);
    mkdirSync(dataDir, { mode: 0o700 });
    const keys = initNodeKeys(dataDir);
    const make = () =>
      createMixnode(
        {
          mixnode: { layer: 1, port: 0 },
          directory: { url: directory.url(), topologyRefreshMs },
          mixing: { loopRate: 0 },
          storage: { dataDir },
          http: { enabled: false },
        },
        { log },
      );
    return { keys, make };
  };

  it("fetches the topology at once for a packet to a node that registered after its last fetch, and delivers it", async () => {
    // Its periodic fetch is ten minutes away: only the fetch on demand can name the late node in time.
    const { keys, make } = inProcess("late-hop", 600_000);
    const mix = make();
    await mix.start();
    // A next hop that registers after the mix fetched its topology (as a node of layer 2 starting a moment later).
    const lateSeed = seed();
    const lateSphinx = generateX25519();
    let lateFrames = 0;
    const late = createLibp2pTransport({ identitySeed: lateSeed, listen: ["/ip4/127.0.0.1/tcp/0"] });
    late.onFrame(() => {
      lateFrames++;
    });
    const sender = createLibp2pTransport({ identitySeed: seed(), listen: [] });
    try {
      await late.start();
      const lateKey = await registerAsGateway(directory.url(), late, lateSeed, lateSphinx.publicKey);
      const packet = packetVia(keys, { identityKey: lateKey, sphinxKey: lateSphinx.publicKey });
      await sender.start();
      sender.send(
        { id: mix.transport.localId, address: mix.transport.listenAddresses()[0] as string },
        encodeMixPacket(packet),
      );
      await until(() => lateFrames === 1, 10_000, "the packet at the late node");
      expect(mix.core.counters.heldForTopology).toBe(1);
      expect(mix.core.counters.dropped.unknown_next_hop).toBe(0);
      expect(mix.core.counters.forwarded).toBe(1);
    } finally {
      await sender.stop();
      await late.stop();
      await mix.stop();
    }
  }, 30_000);

  it("still refuses a packet it processed before a restart (replay cache on disk, same key epoch)", async () => {
    const { keys, make } = inProcess("replay", 200);
    const packet = packetVia(keys);
    let mix = make();
    await mix.start();
    await mix.refreshTopology();
    mix.core.handlePacket(packet.slice());
    expect(mix.core.counters.forwarded).toBe(1);
    await mix.stop();
    mix = make();
    await mix.start();
    await mix.refreshTopology();
    mix.core.handlePacket(packet.slice());
    expect(mix.core.counters.dropped.replay).toBe(1);
    expect(mix.core.counters.forwarded).toBe(0);
    await mix.stop();
  }, 30_000);
});
