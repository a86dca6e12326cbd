import { randomBytes } from "node:crypto";
import { createLogger } from "@nym-ts/common";
import { generateX25519, type MixTransport, nymSphinx } from "@nym-ts/mixnet";
import { describe, expect, it } from "vitest";
import { MixCore } from "../../src/mix-core.js";
import { PeerPenalties } from "../../src/peer-penalties.js";

describe("PeerPenalties", () => {
  it("names a peer once it sends more than `limit` bad frames in one window, then starts it afresh", () => {
    let now = 0;
    const penalties = new PeerPenalties({ limit: 3, windowMs: 1000, banMs: 5000 }, () => now);
    expect([1, 2, 3].map(() => penalties.record("a"))).toEqual([false, false, false]);
    expect(penalties.record("b")).toBe(false);
    expect(penalties.record("a")).toBe(true);
    expect(penalties.record("a")).toBe(false);
    // Three more in a new window are within budget again.
    now = 5000;
    expect([1, 2, 3].map(() => penalties.record("b"))).toEqual([false, false, false]);
    now = 6001;
    expect(penalties.record("b")).toBe(false);
  });
});

describe("MixCore's bad-frame budget per neighbour", () => {
  it("refuses the neighbour that sends packets of no Sphinx size past its budget, once; MAC failures never count", () => {
    const refused: { peer: string; forMs: number }[] = [];
    const transport = {
      localId: new Uint8Array(32).fill(1),
      send: () => true,
      refuse: (peer: Uint8Array, forMs: number) => refused.push({ peer: Buffer.from(peer).toString("hex"), forMs }),
    } as unknown as MixTransport;
    const key = generateX25519();
    const core = new MixCore(
      {
        layer: 1,
        maxDelayMs: 1000,
        delayQueueCapacity: 10,
        loopRate: 0,
        loopMeanDelayMs: 1,
        payloadSize: 2065,
        loopTimeoutMs: 1000,
        badFrames: { limit: 5, windowMs: 60_000, banMs: 1234 },
      },
      {
        log: createLogger({ name: "test", level: "silent" }),
        transport,
        sphinx: nymSphinx,
        sphinxKey: nymSphinx.nodeKey(key.secretKey),
        replay: { has: () => false, add: () => {} },
      },
    );
    const attacker = new Uint8Array(32).fill(7);
    const honest = new Uint8Array(32).fill(8);
    // Right size, garbage contents: the MAC fails, which a sender can cause at any hop: the neighbour is not blamed.
    for (let i = 0; i < 50; i++) core.handlePacket(new Uint8Array(randomBytes(2413)), honest);
    expect(refused).toEqual([]);
    // No Sphinx size: no honest neighbour forwards that.
    for (let i = 0; i < 6; i++) core.handlePacket(new Uint8Array(randomBytes(2000)), attacker);
    expect(refused).toEqual([{ peer: Buffer.from(attacker).toString("hex"), forMs: 1234 }]);
    expect(core.counters.peersRefused).toBe(1);
    expect(core.counters.dropped.malformed).toBe(56);
    // Packets without a known sender (handed in directly) never count against anyone.
    for (let i = 0; i < 10; i++) core.handlePacket(new Uint8Array(randomBytes(100)));
    expect(refused).toHaveLength(1);
    core.stop();
  });
});
