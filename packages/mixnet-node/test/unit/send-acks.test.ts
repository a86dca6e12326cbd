import { randomBytes } from "node:crypto";
import { createLogger } from "@nym-ts/common";
import type { DirectoryClient } from "@nym-ts/directory-client";
import {
  DROPPED_ACK,
  decodeClientForward,
  decodeDelivered,
  decodeEnvelope,
  encodeDeliver,
  encodeRegistered,
  FrameType,
  generateX25519,
  type MixTransport,
  nymSphinx,
  type PeerAddress,
  type SphinxNodeKey,
  STORED_ACK,
} from "@nym-ts/mixnet";
import { afterEach, describe, expect, it } from "vitest";
import { MixClient, type SendProgress, type TrafficOptions } from "../../src/client/mix-client.js";
import { ed25519PublicFromSeed } from "../../src/identity.js";

/**
 * The client's ack states against a simulated network: real Sphinx packets processed hop by hop with the nodes' keys
 * (no delays, no sockets), and gateways that store for registered clients, answer a stored packet's gateway-ack
 * SURB as nym-gateway does, and push to clients that are online.
 */

const log = createLogger({ name: "test", level: "silent" });
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const sphinx = nymSphinx;

interface SimNode {
  identity: Uint8Array;
  sphinxPublic: Uint8Array;
  key: SphinxNodeKey;
  layer: number; // 0: gateway
}

function node(layer: number): SimNode {
  const keys = generateX25519();
  return {
    identity: ed25519PublicFromSeed(randomBytes(32)),
    sphinxPublic: keys.publicKey,
    key: sphinx.nodeKey(keys.secretKey),
    layer,
  };
}

class SimNet {
  readonly mixes = [node(1), node(2), node(3)];
  readonly gateways = [node(0), node(0)];
  readonly nodes = new Map<string, SimNode>([...this.mixes, ...this.gateways].map((n) => [hex(n.identity), n]));
  /** Gateways that drop everything (down). */
  readonly down = new Set<string>();
  readonly registered = new Set<string>();
  readonly online = new Map<
    string,
    { gateway: Uint8Array; pushedUpTo: bigint; deliver: (frame: Uint8Array, from: Uint8Array) => void }
  >();
  readonly mailboxes = new Map<string, { id: bigint; data: Uint8Array }[]>();
  storedAcks = 0;
  droppedAcks = 0;
  /** Drops the next `count` packets a client sends into the mixnet (its acks, say). */
  dropFromClient = { client: "", count: 0 };
  private nextId = 1n;

  directory(): DirectoryClient {
    const topology = {
      mixnodes: [1, 2, 3].map((layer) => ({
        layer,
        nodes: this.mixes
          .filter((m) => m.layer === layer)
          .map((m) => ({ identityKey: hex(m.identity), sphinxKey: hex(m.sphinxPublic), host: "127.0.0.1:1", layer })),
      })),
      gateways: this.gateways.map((g) => ({
        identityKey: hex(g.identity),
        sphinxKey: hex(g.sphinxPublic),
        mixnetAddress: "127.0.0.1:2",
        clientAddress: "127.0.0.1:2",
      })),
    };
    return { getTopology: async () => ({ modified: true, etag: "1", topology }) } as unknown as DirectoryClient;
  }

  transport(identity: Uint8Array): MixTransport {
    let handler: (frame: Uint8Array, from: Uint8Array) => void = () => {};
    const me = hex(identity);
    return {
      localId: identity,
      start: async () => {},
      stop: async () => {
        this.online.delete(me);
      },
      listenAddresses: () => [],
      send: (peer: PeerAddress, frame: Uint8Array) => {
        // Asynchronous, as a network is: nothing is handled inside the sender's call.
        setImmediate(() => this.fromClient(identity, peer.id, frame, (f, from) => handler(f, from)));
        return true;
      },
      onFrame: (h: (frame: Uint8Array, from: Uint8Array) => void) => {
        handler = h;
      },
      onPeerConnected: () => {},
      onPeerDisconnected: () => {},
      isConnected: () => true,
      queuedFrames: () => 0,
    } as unknown as MixTransport;
  }

  private fromClient(
    client: Uint8Array,
    gateway: Uint8Array,
    frame: Uint8Array,
    deliver: (frame: Uint8Array, from: Uint8Array) => void,
  ): void {
    const key = hex(client);
    if (this.down.has(hex(gateway))) return;
    switch (frame[0]) {
      case FrameType.CLIENT_REGISTER:
        this.registered.add(key);
        this.online.set(key, { gateway, pushedUpTo: 0n, deliver });
        deliver(encodeRegistered(0), gateway);
        this.push(key);
        return;
      case FrameType.CLIENT_FORWARD: {
        if (this.dropFromClient.client === key && this.dropFromClient.count > 0) {
          this.dropFromClient.count--;
          return;
        }
        const { firstHop, packet } = decodeClientForward(frame);
        this.route(firstHop, packet.slice());
        return;
      }
      case FrameType.DELIVERED: {
        const ids = new Set(decodeDelivered(frame));
        this.mailboxes.set(
          key,
          (this.mailboxes.get(key) ?? []).filter((m) => !ids.has(m.id)),
        );
        return;
      }
      default:
    }
  }

  /** Sphinx hop by hop until the final hop; a node that is down ends the packet. */
  private route(firstHop: Uint8Array, packet: Uint8Array): void {
    let hop = firstHop;
    let current = packet;
    for (;;) {
      const n = this.nodes.get(hex(hop));
      if (!n || this.down.has(hex(hop))) return;
      const result = sphinx.processPacket(n.key, current);
      if (result.kind === "forward") {
        hop = result.nextHop;
        current = result.packet;
        continue;
      }
      this.final(n, result.destination, result.identifier, result.payload);
      return;
    }
  }

  /** What nym-gateway does with a final-hop packet: store for a registered client, answer the gateway-ack SURB, push. */
  private final(gateway: SimNode, destination: Uint8Array, identifier: Uint8Array, payload: Uint8Array): void {
    const key = hex(destination);
    if (!this.registered.has(key)) {
      this.gatewayAck(payload, false);
      return;
    }
    const data = new Uint8Array(16 + payload.length);
    data.set(identifier);
    data.set(payload, 16);
    const box = this.mailboxes.get(key) ?? [];
    box.push({ id: this.nextId++, data });
    this.mailboxes.set(key, box);
    this.gatewayAck(payload, true);
    void gateway;
    this.push(key);
  }

  private gatewayAck(payload: Uint8Array, stored: boolean): void {
    try {
      const { surb } = decodeEnvelope(sphinx.decodePayload(payload));
      if (surb.length > 0) {
        const ack = sphinx.packetFromSurb(surb, stored ? STORED_ACK : DROPPED_ACK, payload.length);
        if (stored) this.storedAcks++;
        else this.droppedAcks++;
        setImmediate(() => this.route(ack.firstHop, ack.packet));
      }
    } catch {
      // a SURB reply: nothing to acknowledge
    }
  }

  private push(key: string): void {
    const session = this.online.get(key);
    if (!session) return;
    const batch = (this.mailboxes.get(key) ?? []).filter((m) => m.id > session.pushedUpTo);
    if (batch.length === 0) return;
    session.pushedUpTo = batch.at(-1)!.id;
    setImmediate(() => session.deliver(encodeDeliver(batch), session.gateway));
  }
}

/** Fast acks: wait = 1 x 200 ms + 100 ms, doubled per attempt; no cover traffic unless asked. */
const FAST: Partial<TrafficOptions> = {
  lambdaP: 0,
  lambdaD: 0,
  lambdaL: 0,
  meanDelayMs: 0,
  ackTimeoutFactor: 1,
  ackTimeoutExtraMs: 100,
  maxAttempts: 3,
};

describe("MixClient send: sent, stored at the recipient's gateway, delivered, not fetched, lost", () => {
  const started: MixClient[] = [];
  afterEach(async () => {
    await Promise.all(started.map((c) => c.stop()));
    started.length = 0;
  });

  async function client(
    net: SimNet,
    gateway: number,
    keys = { identitySeed: randomBytes(32), encryptionSecret: generateX25519().secretKey },
    traffic: Partial<TrafficOptions> = FAST,
  ): Promise<MixClient> {
    const c = new MixClient(
      {
        ...keys,
        gateway: hex(net.gateways[gateway]!.identity),
        directoryUrl: "http://unused",
        traffic,
      },
      { log, directory: net.directory(), transport: net.transport(ed25519PublicFromSeed(keys.identitySeed)) },
    );
    await c.start();
    started.push(c);
    return c;
  }

  it("reports sent, then stored (the recipient's gateway), then delivered (the recipient), and resolves", async () => {
    const net = new SimNet();
    const alice = await client(net, 0);
    const bob = await client(net, 1);
    const got: string[] = [];
    bob.onMessage((m) => got.push(Buffer.from(m.data).toString()));
    const states: string[] = [];
    const result = await alice.send(bob.addressText, Buffer.from("hello"), {
      onProgress: (p) => states.push(p.state),
    });
    expect(result).toMatchObject({ state: "delivered", fragments: 1, sent: 1, stored: 1, delivered: 1 });
    expect(states[0]).toBe("queued");
    expect(states.at(-1)).toBe("delivered");
    // Order only forward: never back to an earlier stage.
    const order = ["queued", "sent", "stored", "delivered"];
    expect(states.map((s) => order.indexOf(s))).toEqual([...states.map((s) => order.indexOf(s))].sort());
    expect(got).toEqual(["hello"]);
    expect(net.storedAcks).toBeGreaterThanOrEqual(1);
    expect(alice.stats.fragmentsStored).toBe(1);
    expect(alice.stats.fragmentsAcked).toBe(1);
  });

  it("a registered recipient offline: stored, no retransmission, MIXNET_ERROR_NOT_FETCHED; fetched later", async () => {
    const net = new SimNet();
    const bobKeys = { identitySeed: randomBytes(32), encryptionSecret: generateX25519().secretKey };
    const bob = await client(net, 1, bobKeys);
    const bobAddress = bob.addressText;
    await bob.stop(); // registered at gateway 1, now offline
    const alice = await client(net, 0);
    const progress: SendProgress[] = [];
    const error = await alice
      .send(bobAddress, Buffer.from("later"), { deliveryTimeoutMs: 800, onProgress: (p) => progress.push(p) })
      .then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string; details: SendProgress },
      );
    expect(error?.code).toBe("MIXNET_ERROR_NOT_FETCHED");
    expect(error?.message).toMatch(/stored at the recipient's gateway, not fetched/);
    expect(error?.details).toMatchObject({ state: "stored", fragments: 1, stored: 1, delivered: 0 });
    expect(progress.map((p) => p.state)).toContain("stored");
    // Stored copies are not sent again on the ack timer (300 ms, passed twice meanwhile); the first delivery probe
    // would go at 8 x 300 ms.
    expect(alice.stats.retransmissions).toBe(0);
    expect(net.mailboxes.get(hex(bob.address.identityKey))).toHaveLength(1);

    // Bob comes online and gets it.
    const bob2 = await client(net, 1, bobKeys);
    const got: string[] = [];
    bob2.onMessage((m) => got.push(Buffer.from(m.data).toString()));
    await waitFor(() => got.length > 0, 5000);
    expect(got).toEqual(["later"]);
  });

  it("an offline recipient that comes online while the sender waits: stored, then delivered", async () => {
    const net = new SimNet();
    const bobKeys = { identitySeed: randomBytes(32), encryptionSecret: generateX25519().secretKey };
    const bob = await client(net, 1, bobKeys);
    const bobAddress = bob.addressText;
    await bob.stop();
    const alice = await client(net, 0);
    const states: string[] = [];
    let bobOnline: Promise<MixClient> | undefined;
    const result = await alice.send(bobAddress, Buffer.from("x".repeat(3000)), {
      deliveryTimeoutMs: 10_000,
      onProgress: (p) => {
        states.push(p.state);
        if (p.state === "stored" && !bobOnline) bobOnline = client(net, 1, bobKeys);
      },
    });
    expect(result.fragments).toBe(Math.ceil((2 + 3000) / alice.fragmentCapacity));
    expect(result.fragments).toBeGreaterThan(1);
    expect(result.state).toBe("delivered");
    expect(states).toContain("stored");
    expect(states.indexOf("stored")).toBeLessThan(states.indexOf("delivered"));
    await bobOnline;
  });

  it("a stored fragment whose recipient ack was lost: a delivery probe gets it acknowledged", async () => {
    const net = new SimNet();
    const bob = await client(net, 1);
    const alice = await client(net, 0);
    // Bob's first ack never arrives: his gateway link drops his first outgoing packet.
    net.dropFromClient = { client: hex(bob.address.identityKey), count: 1 };
    const states: string[] = [];
    const result = await alice.send(bob.addressText, Buffer.from("once"), {
      deliveryTimeoutMs: 10_000,
      onProgress: (p) => states.push(p.state),
    });
    expect(result.state).toBe("delivered");
    expect(states).toContain("stored");
    expect(result.retransmissions).toBe(1);
    expect(net.dropFromClient.count).toBe(0);
  });

  it("the recipient's gateway down: retransmitted maxAttempts times, then MIXNET_ERROR_LOST", async () => {
    const net = new SimNet();
    const bob = await client(net, 1);
    const alice = await client(net, 0);
    net.down.add(hex(net.gateways[1]!.identity));
    const started = Date.now();
    const error = await alice.send(bob.addressText, Buffer.from("gone")).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; details: SendProgress },
    );
    expect(error?.code).toBe("MIXNET_ERROR_LOST");
    expect(error?.message).toMatch(/no acknowledgement from the recipient's gateway or the recipient after 3 sends/);
    expect(error?.details).toMatchObject({
      state: "sent",
      stored: 0,
      delivered: 0,
      retransmissions: 2,
      reason: "no-ack",
    });
    // 300 + 600 + 1200 ms of ack waits
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(alice.stats.retransmissions).toBe(2);
  });

  it("a recipient never registered at its gateway: its gateway answers dropped, MIXNET_ERROR_LOST at once", async () => {
    const net = new SimNet();
    const alice = await client(net, 0, undefined, { ...FAST, maxAttempts: 5 });
    const stranger = new MixClient(
      {
        identitySeed: randomBytes(32),
        encryptionSecret: generateX25519().secretKey,
        gateway: hex(net.gateways[1]!.identity),
        directoryUrl: "http://unused",
      },
      { log, directory: net.directory(), transport: net.transport(new Uint8Array(32)) },
    );
    const started = Date.now();
    await expect(alice.send(stranger.addressText, Buffer.from("?"))).rejects.toMatchObject({
      code: "MIXNET_ERROR_LOST",
      message: expect.stringMatching(/dropped fragment 0 of 1: the recipient is not registered there/),
      details: { reason: "dropped", stored: 0, retransmissions: 0 },
    });
    // Well before the first ack wait (300 ms) ran out: no retransmission.
    expect(Date.now() - started).toBeLessThan(300);
    expect(net.storedAcks).toBe(0);
    expect(net.droppedAcks).toBe(1);
  });

  it("to its own address: the message comes back to onMessage and the send resolves delivered", async () => {
    const net = new SimNet();
    const alice = await client(net, 0);
    const got: string[] = [];
    alice.onMessage((m) => got.push(Buffer.from(m.data).toString()));
    const result = await alice.send(alice.addressText, Buffer.from("me"));
    expect(result.state).toBe("delivered");
    expect(got).toEqual(["me"]);
  });

  it("loop and drop cover carry a gateway-ack SURB too; their acks are recognised, not counted as bad packets", async () => {
    const net = new SimNet();
    const alice = await client(net, 0, undefined, { ...FAST, lambdaL: 50, lambdaD: 50 });
    await waitFor(() => net.droppedAcks >= 3 && net.storedAcks >= 3 && alice.stats.loopsReturned >= 3, 5000);
    await waitFor(() => alice.stats.coverAcksReturned >= net.droppedAcks + net.storedAcks - 10, 5000);
    expect(alice.stats.badPackets).toBe(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
