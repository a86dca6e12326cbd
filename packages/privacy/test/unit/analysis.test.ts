import { seededRandom } from "@nym-ts/mixnet";
import type { TraceSession } from "@nym-ts/mixnet-node";
import { describe, expect, it } from "vitest";
import {
  AdversaryView,
  analyzePrivacy,
  entropyBits,
  estimateHoldingTimes,
  type LinkEvent,
  networkFromTraces,
  type ObservedNetwork,
  SenderDistributions,
  traceRecipient,
} from "../../src/analysis.js";
import { type SimulationOptions, simulateNetwork } from "../../src/simulate.js";

/** One gateway G and one mix M (layer 1): routes are client -> G -> M -> G -> client. */
function oneMix(events: [number, string, string][]): ObservedNetwork {
  const nodes = new Map<string, number | "gateway">([
    ["G", "gateway"],
    ["M", 1],
  ]);
  const list: LinkEvent[] = events.map(([at, from, to]) => ({ at, from, to, size: 2414 }));
  list.sort((a, b) => a.at - b.at);
  return { nodes, events: list };
}

const model = { meanDelayMs: 10, latencyMs: 0, mixLoopRate: 0 };
/** The gateways forward within about 0.5 ms. */
const traced = { meanDelayMs: 10, latencyMs: 0.5, mixLoopRate: 0 };

describe("entropy", () => {
  it("is log2 of the set size for a uniform distribution and 0 for a certain one", () => {
    expect(entropyBits([1, 1, 1, 1, 1, 1, 1, 1])).toBeCloseTo(3, 12);
    expect(entropyBits([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(2, 12);
    expect(entropyBits([0, 1, 0])).toBe(0);
    expect(entropyBits([])).toBe(0);
    expect(entropyBits([0.5, 0.25, 0.25])).toBeCloseTo(1.5, 12);
  });
});

describe("the per-hop likelihood", () => {
  it("weights each input by exp(-(t_out - t_in) / mean) among those before the output", () => {
    const net = oneMix([
      [0, "G", "M"],
      [10, "G", "M"],
      [20, "M", "G"],
      [25, "G", "M"], // after the output: not a candidate
    ]);
    const view = new AdversaryView(net, model);
    const out = net.events.findIndex((e) => e.from === "M");
    const post = view.posterior(out);
    expect(post.events).toEqual([0, 1]);
    // e^-2 and e^-1, normalized: 1 / (1 + e) and e / (1 + e).
    expect(post.p[0]).toBeCloseTo(1 / (1 + Math.E), 12);
    expect(post.p[1]).toBeCloseTo(Math.E / (1 + Math.E), 12);
    expect(view.freshShare(out)).toBe(0);
  });

  it("gives an output to a mix's own loops in proportion lambdaM / (lambdaM + Z / mean)", () => {
    const net = oneMix([
      [0, "G", "M"],
      [10, "M", "G"],
    ]);
    const view = new AdversaryView(net, { ...model, mixLoopRate: 50 }); // 0.05 per ms
    const z = Math.exp(-1);
    const fresh = 0.05 / (0.05 + z / 10);
    expect(view.freshShare(1)).toBeCloseTo(fresh, 12);
    expect(view.posterior(1).p[0]).toBeCloseTo(1 - fresh, 12);
  });

  it("never takes a client's packet for a delivery to a client at a gateway", () => {
    const net = oneMix([
      [0, "M", "G"],
      [1, "alice", "G"],
      [1.5, "G", "bob"],
    ]);
    const view = new AdversaryView(net, traced);
    const post = view.posterior(2);
    expect(post.events).toEqual([0]);
    expect(post.p[0]).toBeCloseTo(1, 12);
  });
});

describe("the recipient guess", () => {
  it("follows well separated messages to their recipients with certainty", () => {
    // alice -> carol at 0, bob -> dave at 1000; a 10 ms mean leaves no doubt.
    const net = oneMix([
      [0, "alice", "G"],
      [0.1, "G", "M"],
      [12, "M", "G"],
      [12.1, "G", "carol"],
      [1000, "bob", "G"],
      [1000.1, "G", "M"],
      [1007, "M", "G"],
      [1007.1, "G", "dave"],
    ]);
    const view = new AdversaryView(net, traced);
    const a = traceRecipient(view, 0, { truth: "carol" });
    expect(a.guess).toBe("carol");
    expect(a.rank).toBe(1);
    expect(a.distribution.get("carol")).toBeCloseTo(1, 9);
    expect(a.entropy).toBeCloseTo(0, 6);
    expect(a.distribution.has("alice")).toBe(false); // never the sender
    const b = traceRecipient(view, 4, { truth: "dave" });
    expect(b.guess).toBe("dave");
  });

  it("splits evenly, one bit, when two messages cross the mix at the same moments", () => {
    const net = oneMix([
      [0, "alice", "G"],
      [0, "bob", "G"],
      [0.1, "G", "M"],
      [0.1, "G", "M"],
      [20, "M", "G"],
      [20, "M", "G"],
      [20.1, "G", "carol"],
      [20.1, "G", "dave"],
    ]);
    const view = new AdversaryView(net, traced);
    const g = traceRecipient(view, 0);
    expect(g.distribution.get("carol")).toBeCloseTo(g.distribution.get("dave") as number, 9);
    expect((g.distribution.get("carol") as number) + (g.distribution.get("dave") as number)).toBeCloseTo(1, 9);
    expect(g.distribution.get("bob")).toBe(0);
  });
});

describe("sender distributions", () => {
  it("give log2(k) bits to an output of k simultaneous inputs from k clients", () => {
    const events: [number, string, string][] = [];
    const k = 8;
    for (let c = 0; c < k; c++) {
      events.push([0, `client${c}`, "G"]);
      events.push([0.5, "G", "M"]);
    }
    events.push([30, "M", "G"]);
    const net = oneMix(events);
    const view = new AdversaryView(net, traced);
    const senders = new SenderDistributions(view);
    const out = net.events.length - 1;
    expect(senders.entropy(out)).toBeCloseTo(3, 4);
    // A client's own packet is certain.
    expect(senders.entropy(0)).toBe(0);
  });
});

describe("trace files to link events", () => {
  it("keeps receptions, and sendings only toward nodes that record nothing (clients)", () => {
    const sessions: TraceSession[] = [
      {
        self: "aa",
        role: "gateway",
        startedAt: 0,
        packets: [
          { at: 1, out: false, peer: "c1", size: 10, client: true },
          { at: 2, out: true, peer: "bb", size: 11, client: false },
          { at: 9, out: false, peer: "bb", size: 11, client: false },
          { at: 10, out: true, peer: "c2", size: 12, client: true },
        ],
      },
      {
        self: "bb",
        role: 1,
        startedAt: 0,
        packets: [
          { at: 2.5, out: false, peer: "aa", size: 11, client: false },
          { at: 8.5, out: true, peer: "aa", size: 11, client: false },
        ],
      },
    ];
    const net = networkFromTraces(sessions);
    expect(net.events.map((e) => [e.at, e.from, e.to])).toEqual([
      [1, "c1", "aa"],
      [2.5, "aa", "bb"],
      [9, "bb", "aa"],
      [10, "aa", "c2"],
    ]);
    expect(net.nodes.get("bb")).toBe(1);
  });
});

describe("on a simulated Loopix network (answers known)", () => {
  const base: Omit<SimulationOptions, "meanDelayMs" | "random"> = {
    clients: 12,
    gateways: 2,
    layers: 3,
    mixesPerLayer: 2,
    durationMs: 20_000,
    messageRate: 1,
    lambdaP: 0,
    lambdaD: 0,
    lambdaL: 0,
    mixLoopRate: 0,
    latencyMs: 0.5,
  };

  it("links nearly every message without delays or cover", () => {
    const { network, messages } = simulateNetwork({ ...base, meanDelayMs: 0, random: seededRandom(1) });
    const r = analyzePrivacy(network, messages, { meanDelayMs: 0, latencyMs: 0.5, mixLoopRate: 0 });
    expect(r.messages).toBeGreaterThan(150);
    expect(r.recipientSuccess).toBeGreaterThan(0.95);
    expect(r.senderSuccess).toBeGreaterThan(0.95);
    expect(r.layers.find((l) => l.layer === 3)?.senderEntropy).toBeLessThan(0.3);
  });

  it("falls toward 1/N with delays and cover, and the anonymity sets grow layer by layer", () => {
    const cover = { ...base, lambdaP: 4, lambdaD: 3, lambdaL: 3, mixLoopRate: 2 };
    const { network, messages } = simulateNetwork({ ...cover, meanDelayMs: 200, random: seededRandom(2) });
    const r = analyzePrivacy(network, messages, { meanDelayMs: 200, latencyMs: 0.5, mixLoopRate: 2 });
    expect(r.messages).toBeGreaterThan(150);
    expect(r.recipientSuccess).toBeLessThan(0.35);
    expect(r.recipientSuccess).toBeGreaterThanOrEqual(0);
    expect(r.recipientEntropy).toBeGreaterThan(2.5); // log2(11) = 3.46 at most
    const [l1, l2, l3] = r.layers;
    expect(l1!.senderEntropy).toBeLessThan(l2!.senderEntropy);
    expect(l2!.senderEntropy).toBeLessThan(l3!.senderEntropy);
  });

  it("measures each node's mean holding time from the counts in and out (Little's law)", () => {
    const cover = { ...base, lambdaP: 3, lambdaD: 2, lambdaL: 2, mixLoopRate: 1 };
    const { network } = simulateNetwork({ ...cover, meanDelayMs: 50, random: seededRandom(4) });
    const held = estimateHoldingTimes(network);
    for (const [id, role] of network.nodes) {
      // The delay at a mix plus the link into the next node (less a few % for its own loops, out before they
      // come back); a gateway only forwards (one link latency).
      if (role === "gateway") expect(held.get(id)).toBeCloseTo(0.5, 1);
      else expect(Math.abs((held.get(id) as number) - 50.5) / 50.5).toBeLessThan(0.15);
    }
  });

  it("simulates a gateway ack for every forward packet a gateway receives, and the extra traffic hides more", () => {
    const cover = { ...base, lambdaP: 3, lambdaD: 1, lambdaL: 1 };
    const run = (gatewayAcks: boolean) => {
      const { network, messages } = simulateNetwork({
        ...cover,
        meanDelayMs: 20,
        gatewayAcks,
        random: seededRandom(5),
      });
      return { network, r: analyzePrivacy(network, messages, { meanDelayMs: 20, latencyMs: 0.5, mixLoopRate: 0 }) };
    };
    const [plain, acked] = [run(false), run(true)];
    // Every forward packet (real, drop, loop) crosses 3 mixes, and its gateway ack 3 more: twice the mix traffic.
    const intoMixes = (n: typeof plain.network) => n.events.filter((e) => typeof n.nodes.get(e.to) === "number").length;
    expect(intoMixes(acked.network) / intoMixes(plain.network)).toBeGreaterThan(1.8);
    expect(intoMixes(acked.network) / intoMixes(plain.network)).toBeLessThan(2.2);
    expect(acked.r.layers[2]!.senderEntropy).toBeGreaterThan(plain.r.layers[2]!.senderEntropy);
  });

  it("hides more as the mean delay grows, at the same traffic", () => {
    const cover = { ...base, lambdaP: 3, lambdaD: 1, lambdaL: 1 };
    const run = (meanDelayMs: number) => {
      const { network, messages } = simulateNetwork({ ...cover, meanDelayMs, random: seededRandom(3) });
      return analyzePrivacy(network, messages, { meanDelayMs, latencyMs: 0.5, mixLoopRate: 0 });
    };
    const [fast, slow] = [run(5), run(100)];
    expect(slow.recipientSuccess).toBeLessThan(fast.recipientSuccess);
    expect(slow.layers[2]!.senderEntropy).toBeGreaterThan(fast.layers[2]!.senderEntropy);
  });
});
