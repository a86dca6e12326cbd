import { randomBytes } from "node:crypto";
import { generateX25519 } from "@nym-ts/mixnet";
import type { MixClient, ReceivedMessage } from "@nym-ts/mixnet-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Network, startNetwork, waitFor } from "../helpers/network.js";

describe("a loopback mixnet: 6 mixnodes (3 layers x 2), 2 gateways, a directory", () => {
  let net: Network;
  let alice: MixClient;
  let bob: MixClient;
  const atBob: ReceivedMessage[] = [];

  beforeAll(async () => {
    // One layer-2 node runs as its own process, so the kill below is a real SIGKILL.
    net = await startNetwork({
      mixnodesPerLayer: 2,
      gateways: 2,
      mixing: { loopRate: 2, loopMeanDelayMs: 2, loopTimeoutMs: 2000 },
      processes: [2],
    });
    alice = await net.newClient(0);
    bob = await net.newClient(1);
    bob.onMessage((m) => atBob.push(m));
  }, 60_000);

  afterAll(async () => {
    await net?.stop();
  }, 30_000);

  it("registers every node with the directory, which serves the full topology", async () => {
    const result = await net.directory.app.inject({ method: "GET", url: "/api/v1/topology" });
    const topology = result.json() as { mixnodes: { layer: number; nodes: unknown[] }[]; gateways: unknown[] };
    expect(topology.mixnodes.map((l) => l.nodes.length)).toEqual([2, 2, 2]);
    expect(net.mixnodes.length + net.processes.length).toBe(6);
    expect(topology.gateways).toHaveLength(2);
  });

  it("delivers 100 messages of mixed sizes from A to B intact and complete, each acknowledged", async () => {
    const sizes = Array.from({ length: 100 }, (_, i) => [0, 1, 100, 1404, 1405, 1406, 3000, 6000][i % 8] as number);
    const sent = sizes.map((n) => new Uint8Array(randomBytes(n)));
    const before = atBob.length;
    await Promise.all(sent.map((data) => alice.send(bob.addressText, data, { revealAddress: true })));
    await waitFor(() => atBob.length - before >= 100, 20_000, "100 messages at B");
    const received = atBob.slice(before);
    expect(received).toHaveLength(100);
    const key = (d: Uint8Array) => Buffer.from(d).toString("base64");
    expect(received.map((m) => key(m.data)).sort()).toEqual(sent.map(key).sort());
    expect(received.every((m) => m.sender && Buffer.from(m.sender.identityKey).equals(alice.address.identityKey))).toBe(
      true,
    );
    const fragments = sizes.reduce((n, s) => n + Math.max(1, Math.ceil((s + 2 + 96) / alice.fragmentCapacity)), 0);
    expect(alice.stats.fragmentsAcked).toBeGreaterThanOrEqual(fragments);
  }, 60_000);

  it("rejects a send to a malformed address or an unknown gateway without queueing anything", async () => {
    await expect(alice.send("not an address", new Uint8Array(1))).rejects.toThrow(/address/);
    const stranger = bob.addressText.replace(/@[0-9a-f]{64}$/, `@${"ab".repeat(32)}`);
    await expect(alice.send(stranger, new Uint8Array(1))).rejects.toThrow(/gateway/);
  });

  it("lets an anonymous sender get a SURB reply, and B never learns A's address", async () => {
    let messageId = "";
    const reply = new Promise<Uint8Array>((resolve) => {
      alice.onReply((r) => {
        if (r.inReplyTo === messageId) resolve(r.data);
      });
    });
    const question = new TextEncoder().encode("anonymous question");
    const arrived = new Promise<ReceivedMessage>((resolve) => {
      bob.onMessage((m) => {
        if (Buffer.from(m.data).equals(Buffer.from(question))) resolve(m);
      });
    });
    await alice.send(bob.addressText, question, { replySurbs: 2 }, (id) => {
      messageId = id;
    });
    const m = await arrived;
    expect(m.sender).toBeUndefined();
    expect(m.surbs).toHaveLength(2);
    const answer = new Uint8Array(randomBytes(3000)); // two packets: both SURBs used
    bob.reply(m, answer);
    expect(Buffer.from(await reply).equals(Buffer.from(answer))).toBe(true);
    expect(() => bob.reply(m, new Uint8Array(1))).toThrow(/SURBs/);
  }, 30_000);

  it("sends loops that come back, and cover packets the same size on the wire as real ones", async () => {
    await waitFor(() => alice.stats.loopsReturned > 0, 10_000, "a client loop");
    await waitFor(() => net.mixnodes.some((m) => m.core.counters.loopsReturned > 0), 10_000, "a mix loop");
    expect(alice.stats.dropsSent).toBeGreaterThan(0);
    // Record the size of every frame the gateway hands a layer-1 mix: real, drop, loop and ack packets alike.
    const sizes = new Set<number>();
    const transport = net.gateways[0]!.transport;
    const original = transport.send.bind(transport);
    transport.send = (peer, frame) => {
      if (frame[0] === 0x01) sizes.add(frame.length); // MIX_PACKET frames, not mailbox deliveries to clients
      return original(peer, frame);
    };
    const loopsBefore = alice.stats.loopsSent;
    const dropsBefore = alice.stats.dropsSent;
    await alice.send(bob.addressText, new Uint8Array(10));
    await waitFor(
      () => alice.stats.loopsSent > loopsBefore + 2 && alice.stats.dropsSent > dropsBefore + 2,
      10_000,
      "cover",
    );
    transport.send = original;
    expect([...sizes]).toEqual([1 + 348 + 2065]);
  }, 30_000);

  it("drops a replayed packet at the mix and counts it", async () => {
    const mix = net.mixnodes[0]!;
    const captured: Uint8Array[] = [];
    const gw = net.gateways[0]!.transport;
    const original = gw.send.bind(gw);
    gw.send = (peer, frame) => {
      if (Buffer.from(peer.id).equals(mix.transport.localId) && captured.length === 0) captured.push(frame.slice());
      return original(peer, frame);
    };
    await waitFor(() => captured.length > 0, 10_000, "a packet to mix 0");
    gw.send = original;
    const replaysBefore = mix.core.counters.dropped.replay;
    const receivedBefore = mix.core.counters.received;
    await waitFor(() => mix.core.counters.received > receivedBefore, 5000, "the original to arrive");
    // The gateway sends the very same frame again: the mix must refuse it.
    gw.send({ id: mix.transport.localId }, captured[0]!);
    await waitFor(() => mix.core.counters.dropped.replay > replaysBefore, 5000, "the replay to be dropped");
    expect(mix.core.counters.dropped.replay).toBe(replaysBefore + 1);
  }, 30_000);

  it("delivers stored messages after the recipient's gateway restarts", async () => {
    const keys = {
      identitySeed: new Uint8Array(randomBytes(32)),
      encryptionSecret: generateX25519().secretKey,
    };
    const carol = await net.newClient(1, {}, "pull", keys);
    const address = carol.addressText;
    await carol.stop(); // carol goes offline; her gateway keeps what arrives
    const gateway = net.gateways[1]!;
    const messages = Array.from({ length: 5 }, (_, i) => new TextEncoder().encode(`stored message ${i}`));
    const sends = messages.map((m) => alice.send(address, m));
    await waitFor(() => gateway.stored(carol.address.identityKey) >= 5, 15_000, "5 packets in carol's mailbox");
    await net.restartGateway(1);
    expect(net.gateways[1]!.stored(carol.address.identityKey)).toBeGreaterThanOrEqual(5);
    await net.refreshAll();
    const received: string[] = [];
    const back = await net.newClient(1, {}, "push", keys);
    back.onMessage((m) => received.push(new TextDecoder().decode(m.data)));
    await waitFor(() => new Set(received).size === 5, 20_000, "the stored messages");
    expect([...new Set(received)].sort()).toEqual(messages.map((m) => new TextDecoder().decode(m)).sort());
    await Promise.all(sends); // and each was acknowledged to the sender
    // Delivered messages are deleted once the client confirms them.
    await waitFor(() => net.gateways[1]!.stored(back.address.identityKey) === 0, 10_000, "an empty mailbox");
  }, 60_000);

  it("still delivers everything by retransmission when a mixnode process is killed mid-test", async () => {
    const victim = net.processes[0]!; // layer 2
    const before = atBob.length;
    const sent = Array.from({ length: 30 }, () => new Uint8Array(randomBytes(500)));
    const sends = sent.map((data, i) =>
      new Promise((r) => setTimeout(r, i * 20)).then(() => alice.send(bob.addressText, data)),
    );
    await new Promise((r) => setTimeout(r, 150));
    victim.child.kill("SIGKILL");
    await Promise.all(sends);
    await waitFor(() => atBob.length - before >= 30, 30_000, "all 30 messages");
    const key = (d: Uint8Array) => Buffer.from(d).toString("base64");
    expect(
      atBob
        .slice(before)
        .map((m) => key(m.data))
        .sort(),
    ).toEqual(sent.map(key).sort());
    expect(alice.stats.retransmissions).toBeGreaterThan(0);
    // Its lost loops and acks make the dead node a suspect, which later routes avoid.
    await waitFor(() => alice.loopStats.suspects().has(victim.identityKey), 20_000, "the dead node suspected");
  }, 120_000);
});
