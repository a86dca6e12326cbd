import { randomBytes } from "node:crypto";
import { createLogger } from "@nym-ts/common";
import type { CreatePacketArgs, MixTransport, PeerAddress, Random, Topology } from "@nym-ts/mixnet";
import { encodeMixPacket, generateX25519, nymSphinx, seededRandom } from "@nym-ts/mixnet";
import { describe, expect, it } from "vitest";
import { MixCore, type MixCoreOptions } from "../../src/mix-core.js";

const log = createLogger({ name: "test", level: "silent" });
const id = (n: number) => new Uint8Array(32).fill(n);

/** A transport that records what the core sends (unit test of the core alone; e2e tests use libp2p). */
function fakeTransport(localId: Uint8Array, accept = true) {
  const sent: { peer: PeerAddress; frame: Uint8Array }[] = [];
  const transport = {
    localId,
    send: (peer: PeerAddress, frame: Uint8Array) => {
      if (accept) sent.push({ peer, frame });
      return accept;
    },
  } as unknown as MixTransport;
  return { transport, sent };
}

function setup(options: Partial<MixCoreOptions> = {}, accept = true) {
  const keys = [generateX25519(), generateX25519(), generateX25519()];
  const { transport, sent } = fakeTransport(id(1), accept);
  const tags = new Set<string>();
  const core = new MixCore(
    {
      layer: 1,
      maxDelayMs: 1000,
      delayQueueCapacity: 100,
      loopRate: 0,
      loopMeanDelayMs: 1,
      payloadSize: 2065,
      loopTimeoutMs: 1000,
      ...options,
    },
    {
      log,
      transport,
      sphinx: nymSphinx,
      sphinxKey: nymSphinx.nodeKey(keys[0]!.secretKey),
      replay: {
        has: (t) => tags.has(Buffer.from(t).toString("hex")),
        add: (t) => {
          tags.add(Buffer.from(t).toString("hex"));
        },
      },
    },
  );
  core.setTopology({
    mixnodes: [
      { identityKey: id(1), sphinxKey: keys[0]!.publicKey, layer: 1, address: "/ip4/127.0.0.1/tcp/1" },
      { identityKey: id(2), sphinxKey: keys[1]!.publicKey, layer: 2, address: "/ip4/127.0.0.1/tcp/2" },
    ],
    gateways: [],
  });
  const packet = (delays: number[], nextHop = id(2)) =>
    nymSphinx.createPacket({
      route: [
        { address: id(1), publicKey: keys[0]!.publicKey },
        { address: nextHop, publicKey: keys[1]!.publicKey },
      ],
      delaysMs: delays,
      destination: id(9),
      identifier: new Uint8Array(16),
      message: new Uint8Array(randomBytes(100)),
      payloadSize: 2065,
    });
  return { core, sent, packet };
}

describe("the mix packet engine", () => {
  it("forwards a packet to the next hop after the delay in its header", async () => {
    const { core, sent, packet } = setup();
    const start = performance.now();
    core.handleFrame(encodeMixPacket(packet([30, 0])));
    expect(sent).toHaveLength(0);
    expect(core.queued).toBe(1);
    while (sent.length === 0 && performance.now() - start < 2000) await new Promise((r) => setTimeout(r, 2));
    expect(performance.now() - start).toBeGreaterThanOrEqual(29);
    expect(sent[0]?.peer.id).toEqual(id(2));
    expect(sent[0]?.frame.length).toBe(1 + 348 + 2065);
    expect(core.counters.forwarded).toBe(1);
    core.stop();
  });

  it("drops the same packet the second time as a replay", () => {
    const { core, sent, packet } = setup();
    const p = packet([0, 0]);
    core.handlePacket(p);
    core.handlePacket(p);
    expect(sent).toHaveLength(1);
    expect(core.counters.dropped.replay).toBe(1);
    core.stop();
  });

  it("drops and counts malformed packets of every kind without throwing", () => {
    const { core, packet } = setup();
    const good = packet([0, 0]);
    const flipped = good.slice();
    flipped[100] = (flipped[100] as number) ^ 1; // inside beta: the MAC fails
    for (const bad of [new Uint8Array(0), new Uint8Array(10), good.subarray(0, 500), flipped, new Uint8Array(2413)]) {
      expect(() => core.handlePacket(bad)).not.toThrow();
    }
    expect(core.counters.dropped.malformed).toBe(5);
    expect(core.handleFrame(new Uint8Array([0x42, 1, 2]))).toBe(false);
    core.stop();
  });

  it("refuses next hops outside the topology and delays above the maximum", () => {
    const { core, sent, packet } = setup({ maxDelayMs: 100 });
    core.handlePacket(packet([0, 0], id(77)));
    core.handlePacket(packet([500, 0]));
    expect(sent).toHaveLength(0);
    expect(core.counters.dropped.unknown_next_hop).toBe(1);
    expect(core.counters.dropped.excessive_delay).toBe(1);
    core.stop();
  });

  /** setup()'s topology plus a layer-2 node `id(3)`, as a refresh after that node registered would give it. */
  const withNode3 = (core: MixCore) =>
    core.setTopology({
      mixnodes: [
        { identityKey: id(1), sphinxKey: generateX25519().publicKey, layer: 1, address: "/ip4/127.0.0.1/tcp/1" },
        { identityKey: id(2), sphinxKey: generateX25519().publicKey, layer: 2, address: "/ip4/127.0.0.1/tcp/2" },
        { identityKey: id(3), sphinxKey: generateX25519().publicKey, layer: 2, address: "/ip4/127.0.0.1/tcp/3" },
      ],
      gateways: [],
    });

  it("holds a packet for a node it does not know yet, asks for the topology once, and sends it when a refresh names the node", () => {
    const { core, sent, packet } = setup();
    let asked = 0;
    core.onUnknownNextHop = () => asked++;
    core.handlePacket(packet([0, 0], id(3)));
    core.handlePacket(packet([0, 0], id(3)));
    expect(sent).toHaveLength(0);
    expect(core.heldCount).toBe(2);
    expect(asked).toBe(2);
    core.setTopology({ mixnodes: [], gateways: [] }); // a refresh that still lacks it: they wait on
    expect(core.heldCount).toBe(2);
    withNode3(core);
    expect(sent.map((s) => s.peer.id)).toEqual([id(3), id(3)]);
    expect(core.heldCount).toBe(0);
    expect(core.counters).toMatchObject({ forwarded: 2, heldForTopology: 2 });
    expect(core.counters.dropped.unknown_next_hop).toBe(0);
    core.stop();
  });

  it("drops a held packet as unknown_next_hop when no refresh names its hop within the hold, and holds no more than its capacity", async () => {
    const { core, sent, packet } = setup({ unknownHopHoldMs: 50, unknownHopCapacity: 2 });
    core.onUnknownNextHop = () => {};
    for (let i = 0; i < 3; i++) core.handlePacket(packet([0, 0], id(3)));
    expect(core.heldCount).toBe(2);
    expect(core.counters.dropped.unknown_next_hop).toBe(1); // the third: the hold was full
    const start = performance.now();
    while (core.heldCount > 0 && performance.now() - start < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(core.heldCount).toBe(0);
    expect(core.counters.dropped.unknown_next_hop).toBe(3);
    withNode3(core); // too late: nothing is sent
    expect(sent).toHaveLength(0);
    core.stop();
  });

  it("asks for the topology as soon as a delayed packet for an unknown hop arrives, and sends it after its delay once known", async () => {
    const { core, sent, packet } = setup();
    let asked = 0;
    core.onUnknownNextHop = () => asked++;
    core.handlePacket(packet([40, 0], id(3)));
    expect(asked).toBe(1);
    expect(core.queued).toBe(1);
    withNode3(core);
    const start = performance.now();
    while (sent.length === 0 && performance.now() - start < 2000) await new Promise((r) => setTimeout(r, 2));
    expect(sent[0]?.peer.id).toEqual(id(3));
    expect(core.counters.heldForTopology).toBe(0);
    core.stop();
  });

  it("applies back-pressure: a full delay queue or a full link drops instead of queueing more", () => {
    const { core, packet } = setup({ delayQueueCapacity: 2 });
    for (let i = 0; i < 5; i++) core.handlePacket(packet([1000, 0]));
    expect(core.queued).toBe(2);
    expect(core.counters.dropped.delay_queue_full).toBe(3);
    core.stop();
    const full = setup({}, false);
    full.core.handlePacket(full.packet([0, 0]));
    expect(full.core.counters.dropped.link_full).toBe(1);
    full.core.stop();
  });

  it("reports interval counters once and then starts again from zero", () => {
    const { core, packet } = setup();
    core.handlePacket(packet([0, 0]));
    core.handlePacket(new Uint8Array(3));
    const first = core.takeInterval();
    expect(first.received).toBe(2);
    expect(first.dropped).toBe(1);
    expect(first.sent[Buffer.from(id(2)).toString("hex")]).toBe(1);
    expect(core.takeInterval()).toEqual({ received: 0, sent: {}, dropped: 0 });
    core.stop();
  });

  it("builds its loops (route, delays, identifier, payload) from the injected random source only", async () => {
    const nodeKeys = Array.from({ length: 7 }, () => generateX25519());
    const hop = (n: number) => ({
      identityKey: id(n),
      sphinxKey: nodeKeys[n - 1]!.publicKey,
      address: `/ip4/127.0.0.1/tcp/${n}`,
    });
    // Two choices in layers 2 and 3 and two gateways, so the route itself depends on the source.
    const topology: Topology = {
      mixnodes: [
        { ...hop(1), layer: 1 },
        { ...hop(2), layer: 2 },
        { ...hop(5), layer: 2 },
        { ...hop(3), layer: 3 },
        { ...hop(6), layer: 3 },
      ],
      gateways: [hop(4), hop(7)],
    };
    /** The first loop of a core whose randomness is `random`: the packet arguments and the frame sent. */
    const firstLoop = async (random: Random) => {
      const created: CreatePacketArgs[] = [];
      const sphinx = {
        ...nymSphinx,
        createPacket: (args: CreatePacketArgs) => {
          created.push(args);
          return nymSphinx.createPacket(args);
        },
      };
      const { transport, sent } = fakeTransport(id(1));
      const core = new MixCore(
        {
          layer: 1,
          maxDelayMs: 1000,
          delayQueueCapacity: 100,
          loopRate: 200,
          loopMeanDelayMs: 5,
          payloadSize: 2065,
          loopTimeoutMs: 1000,
        },
        {
          log,
          transport,
          sphinx,
          sphinxKey: nymSphinx.nodeKey(nodeKeys[0]!.secretKey),
          replay: { has: () => false, add: () => {} },
          random,
        },
      );
      core.setTopology(topology);
      core.start();
      const deadline = Date.now() + 5000;
      while (sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      core.stop();
      expect(sent.length).toBeGreaterThan(0);
      const args = created[0]!;
      return {
        route: args.route.map((h) => Buffer.from(h.address).toString("hex")),
        delaysMs: args.delaysMs,
        identifier: Buffer.from(args.identifier).toString("hex"),
        message: Buffer.from(args.message).toString("hex"),
        firstHop: Buffer.from(sent[0]!.peer.id).toString("hex"),
      };
    };
    let draws = 0;
    const counting = seededRandom(7);
    const a = await firstLoop(() => {
      draws++;
      return counting();
    });
    const b = await firstLoop(seededRandom(7));
    const c = await firstLoop(seededRandom(8));
    // Same seed, same loop: nothing in it came from another source of randomness.
    expect(b).toEqual(a);
    expect(c.identifier).not.toBe(a.identifier);
    expect(c.message).not.toBe(a.message);
    expect(a.route).toHaveLength(4); // layer 2, layer 3, a gateway, back to itself
    expect(a.route.at(-1)).toBe(Buffer.from(id(1)).toString("hex"));
    expect(a.firstHop).toBe(a.route[0]);
    // At least one 32-bit draw per 4 bytes of identifier and payload.
    expect(draws).toBeGreaterThanOrEqual((16 + 2065 - nymSphinx.payloadOverhead) / 4);
  });

  it("a loop through a node with a zero Sphinx key throws inside the Poisson tick: caught, counted, the core runs on", async () => {
    const good = generateX25519();
    const hop = (n: number, sphinxKey: Uint8Array) => ({
      identityKey: id(n),
      sphinxKey,
      address: `/ip4/127.0.0.1/tcp/${n}`,
    });
    const { transport, sent } = fakeTransport(id(1));
    const core = new MixCore(
      {
        layer: 1,
        maxDelayMs: 1000,
        delayQueueCapacity: 100,
        loopRate: 300,
        loopMeanDelayMs: 1,
        payloadSize: 2065,
        loopTimeoutMs: 1000,
      },
      {
        log,
        transport,
        sphinx: nymSphinx,
        sphinxKey: nymSphinx.nodeKey(good.secretKey),
        replay: { has: () => false, add: () => {} },
      },
    );
    // Set directly, past the topology check of `topologyFromDirectory`: the guard is the last line of defence.
    core.setTopology({
      mixnodes: [
        { ...hop(1, good.publicKey), layer: 1 },
        { ...hop(2, new Uint8Array(32)), layer: 2 },
        { ...hop(3, generateX25519().publicKey), layer: 3 },
      ],
      gateways: [hop(4, generateX25519().publicKey)],
    });
    core.start();
    await new Promise((r) => setTimeout(r, 300));
    core.stop();
    expect(core.errors.bySite["mix-core.loop"]).toBeGreaterThan(3);
    expect(core.counters.loopsSent).toBe(0);
    expect(sent).toHaveLength(0);
  });

  it("a delayed forward whose send throws is caught and counted; the packets after it still leave", async () => {
    const { core, sent, packet } = setup();
    let calls = 0;
    const transport = (
      core as unknown as { modules: { transport: { send: (p: PeerAddress, f: Uint8Array) => boolean } } }
    ).modules.transport;
    const send = transport.send;
    transport.send = (peer, frame) => {
      calls++;
      if (calls === 1) throw new Error("link exploded");
      return send(peer, frame);
    };
    core.handlePacket(packet([5, 0]));
    core.handlePacket(packet([6, 0]));
    await new Promise((r) => setTimeout(r, 60));
    expect(core.errors.bySite["mix-core.forward"]).toBe(1);
    expect(sent).toHaveLength(1);
    core.stop();
  });
});
