import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import { createDirectory, type Directory } from "@nym-ts/directory";
import {
  decodeDeliver,
  decodeError,
  decodeRegistered,
  encodeClientForward,
  encodeDelivered,
  encodeEnvelope,
  encodeMixPacket,
  encodePull,
  encodeRegister,
  FrameType,
  type MixTransport,
  nymSphinx,
} from "@nym-ts/mixnet";
import { createLibp2pTransport, initNodeKeys } from "@nym-ts/mixnet-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/gateway.js";

const log = createLogger({ name: "test", level: "silent" });
const seed = () => new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32)));

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Each test gets a gateway of its own (fresh data directory, fresh counters and mailboxes) and two fresh client
 * transports, so each passes alone and in any order; the directory is shared.
 */
describe("nym-gateway with a real libp2p client", () => {
  let dir: string;
  let directory: Directory;
  let gateway: Gateway;
  let client: MixTransport;
  let stranger: MixTransport;
  let atClient: Uint8Array[] = [];
  let atStranger: Uint8Array[] = [];
  let keys: { identityKey: string; sphinxKey: string };
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-e2e-"));
    directory = createDirectory({ http: { port: 0 }, storage: { path: join(dir, "d.sqlite") } }, { log });
    await directory.start();
  }, 60_000);

  beforeEach(async () => {
    const dataDir = join(dir, `gw${n++}`);
    mkdirSync(dataDir, { mode: 0o700 });
    keys = initNodeKeys(dataDir);
    gateway = createGateway(
      {
        gateway: { port: 0 },
        directory: { url: directory.url() },
        storage: { dataDir },
        http: { port: 0 },
        mailbox: { maxClients: 1, clientPacketsPerSecond: 5 },
      },
      { log },
    );
    await gateway.start();
    client = createLibp2pTransport({ identitySeed: seed(), listen: [] });
    stranger = createLibp2pTransport({ identitySeed: seed(), listen: [] });
    const toClient: Uint8Array[] = [];
    const toStranger: Uint8Array[] = [];
    atClient = toClient;
    atStranger = toStranger;
    client.onFrame((f) => toClient.push(new Uint8Array(f)));
    stranger.onFrame((f) => toStranger.push(new Uint8Array(f)));
    await Promise.all([client.start(), stranger.start()]);
  }, 60_000);

  afterEach(async () => {
    await Promise.allSettled([client?.stop(), stranger?.stop(), gateway?.stop()]);
  });

  afterAll(async () => {
    await directory?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Registers `client` in `mode` and consumes the REGISTERED answer; returns the stored count it reported. */
  async function register(mode: "pull" | "push"): Promise<number> {
    client.send(gw(), encodeRegister(mode));
    await until(() => atClient.length > 0, 10_000, "REGISTERED");
    return decodeRegistered(atClient.shift()!).stored;
  }

  const gw = () => ({ id: Buffer.from(keys.identityKey, "hex"), address: gateway.transport.listenAddresses()[0] });

  /** A final-hop packet for `destination` at this gateway. */
  const finalPacket = (destination: Uint8Array, message: Uint8Array) =>
    nymSphinx.createPacket({
      route: [{ address: Buffer.from(keys.identityKey, "hex"), publicKey: Buffer.from(keys.sphinxKey, "hex") }],
      delaysMs: [0],
      destination,
      identifier: new Uint8Array(16).fill(7),
      message,
      payloadSize: 2065,
    });

  it("refuses to forward or serve a client that never registered", async () => {
    stranger.send(gw(), encodeClientForward(new Uint8Array(32), new Uint8Array(2413)));
    await until(() => atStranger.length > 0, 10_000, "an error frame");
    expect(atStranger[0]?.[0]).toBe(FrameType.ERROR);
    expect(decodeError(atStranger[0]!).message).toMatch(/not registered/);
    expect(gateway.counters.unauthenticatedFrames).toBe(1);
  });

  it("drops final-hop packets for unknown recipients (drop cover) and counts them", async () => {
    gateway.core.handlePacket(finalPacket(seed(), new Uint8Array(10)));
    expect(gateway.counters.droppedUnknownRecipient).toBe(1);
  });

  it("stores packets for a registered client, hands them over on pull, deletes them on confirmation", async () => {
    expect(await register("pull")).toBe(0);
    for (let i = 0; i < 3; i++) gateway.core.handlePacket(finalPacket(client.localId, new Uint8Array([i, i, i])));
    expect(gateway.stored(client.localId)).toBe(3);
    client.send(gw(), encodePull(10));
    await until(() => atClient.length > 0, 10_000, "DELIVER");
    const items = decodeDeliver(atClient.shift()!);
    expect(items).toHaveLength(3);
    const messages = items.map((m) => Buffer.from(nymSphinx.decodePayload(m.data.subarray(16))).toString("hex"));
    expect(messages).toEqual(["000000", "010101", "020202"]);
    expect(Buffer.from(items[0]!.data.subarray(0, 16)).equals(Buffer.alloc(16, 7))).toBe(true);
    client.send(gw(), encodeDelivered(items.map((m) => m.id)));
    await until(() => gateway.stored(client.localId) === 0, 10_000, "deletion");
  });

  it("answers a forward packet's gateway-ack SURB only into a layer-1 mix, stored or dropped, and no SURB reply", async () => {
    expect(await register("pull")).toBe(0);
    // A SURB whose first hop is this gateway itself (no layer-1 mix): refused, counted, nothing sent.
    const { surb } = nymSphinx.createSurb({
      route: [{ address: Buffer.from(keys.identityKey, "hex"), publicKey: Buffer.from(keys.sphinxKey, "hex") }],
      delaysMs: [0],
      destination: seed(),
      identifier: new Uint8Array(16),
    });
    gateway.core.handlePacket(finalPacket(client.localId, encodeEnvelope(surb, new Uint8Array(20))));
    expect(gateway.stored(client.localId)).toBe(1);
    expect(gateway.counters).toMatchObject({ storedAcksSent: 0, droppedAcksSent: 0, gatewayAcksFailed: 1 });
    // Not stored (unknown recipient): answered all the same (here refused again: the same bad first hop).
    gateway.core.handlePacket(finalPacket(seed(), encodeEnvelope(surb, new Uint8Array(20))));
    expect(gateway.counters).toMatchObject({ droppedUnknownRecipient: 1, gatewayAcksFailed: 2 });
    // No SURB in the envelope, or a SURB reply (no forward payload): no answer attempted.
    gateway.core.handlePacket(finalPacket(client.localId, encodeEnvelope(new Uint8Array(0), new Uint8Array(5))));
    const reply = nymSphinx.packetFromSurb(surb, new Uint8Array(5), 2065);
    gateway.core.handlePacket(reply.packet);
    expect(gateway.counters).toMatchObject({ storedAcksSent: 0, droppedAcksSent: 0, gatewayAcksFailed: 2 });
  });

  it("pushes stored and new packets to a client in push mode", async () => {
    expect(await register("pull")).toBe(0);
    gateway.core.handlePacket(finalPacket(client.localId, new Uint8Array([9])));
    client.send(gw(), encodeRegister("push"));
    await until(() => atClient.length >= 2, 10_000, "REGISTERED and a push");
    expect(decodeRegistered(atClient.shift()!).stored).toBe(1);
    const pushed = decodeDeliver(atClient.shift()!);
    expect(pushed).toHaveLength(1);
    gateway.core.handlePacket(finalPacket(client.localId, new Uint8Array([10])));
    await until(() => atClient.length >= 1, 10_000, "a live push");
    expect(decodeDeliver(atClient.shift()!)).toHaveLength(1);
  });

  it("forwards a registered client's packet only to a layer-1 mix, and counts malformed client frames", async () => {
    await register("pull");
    const before = gateway.counters.clientPacketsRefused;
    client.send(gw(), encodeClientForward(seed(), new Uint8Array(2413)));
    client.send(gw(), Uint8Array.of(FrameType.PULL)); // truncated
    client.send(gw(), encodeMixPacket(new Uint8Array(50))); // junk Sphinx
    await until(
      () => gateway.counters.clientPacketsRefused > before && gateway.counters.badClientFrames > 0,
      10_000,
      "refusals",
    );
    await until(() => gateway.core.counters.dropped.malformed > 0, 10_000, "the junk packet dropped");
  });

  it("refuses a registration past maxClients and drops a client's packets over its rate", async () => {
    await register("pull"); // the one client maxClients allows
    stranger.send(gw(), encodeRegister("pull"));
    await until(() => atStranger.length > 0, 10_000, "a refusal");
    expect(decodeError(atStranger.at(-1)!).message).toMatch(/gateway full/);
    expect(gateway.counters.registrationsRefused).toBe(1);
    const before = gateway.counters.clientPacketsRateLimited;
    for (let i = 0; i < 30; i++) client.send(gw(), encodeClientForward(seed(), new Uint8Array(2413)));
    await until(() => gateway.counters.clientPacketsRateLimited >= before + 15, 10_000, "rate limiting");
  });

  it("serves /health and Prometheus /metrics with the mailbox counters", async () => {
    stranger.send(gw(), encodeClientForward(new Uint8Array(32), new Uint8Array(2413)));
    await until(() => gateway.counters.unauthenticatedFrames === 1, 10_000, "an unauthenticated frame counted");
    await register("pull");
    gateway.core.handlePacket(finalPacket(client.localId, new Uint8Array([1])));
    const url = gateway.httpUrl() as string;
    expect(((await (await fetch(`${url}/health`)).json()) as { status: string }).status).toBe("ok");
    const prom = await (await fetch(`${url}/metrics`)).text();
    expect(prom).toMatch(/nym_gateway_events_total\{kind="stored"\} [1-9]/);
    expect(prom).toMatch(/nym_gateway_events_total\{kind="unauthenticatedFrames"\} 1/);
    expect(prom).toMatch(/nym_gateway_link_frames_dropped_by_cause_total\{cause="dialFailed"\} 0/);
  });
});
