import { describe, expect, it } from "vitest";
import { analyzePrivacy, estimateLatencyMs } from "../../src/analysis.js";
import { type ExperimentRun, runExperiment } from "../../src/experiment.js";

/** The pipeline on real nodes and real clients: what the nodes record lets the adversary see a leak when there is one. */
async function measure(meanDelayMs: number, cover: number) {
  const run: ExperimentRun = await runExperiment({
    clients: 4,
    durationMs: 10_000,
    meanDelayMs,
    cover,
    mixnodesPerLayer: 1,
    gateways: 1,
  });
  const result = analyzePrivacy(run.network, run.messages, {
    meanDelayMs,
    latencyMs: estimateLatencyMs(run.network) ?? 1,
    mixLoopRate: run.options.mixLoopRate,
  });
  return { run, result };
}

describe("the privacy harness on a loopback mixnet (4 clients, 10 s per configuration)", () => {
  it("records every node's traffic and matches the real messages to what the adversary saw", async () => {
    const { run } = await measure(0, 0);
    // 3 mixes and a gateway recorded; the 4 clients appear only as link ends.
    expect(run.network.nodes.size).toBe(4);
    expect(run.stats.entered).toBeGreaterThan(20);
    expect(run.stats.unmatched).toBe(0);
    expect(run.stats.delivered).toBe(run.stats.entered);
    for (const m of run.messages) {
      const entry = run.network.events[m.entry];
      expect(entry?.from).toBe(m.sender);
      const delivery = run.network.events[m.delivery as number];
      expect(delivery?.to).toBe(m.recipient);
      expect(delivery!.at).toBeGreaterThan(entry!.at);
    }
  }, 90_000);

  it("links nearly every message with no delay and no cover; with delays and cover the guess falls toward 1/N", async () => {
    const open = await measure(0, 0);
    const mixed = await measure(100, 4);
    expect(open.result.baseline).toBeCloseTo(1 / 3, 9);
    expect(open.result.recipientSuccess).toBeGreaterThanOrEqual(0.75);
    expect(mixed.result.recipientSuccess).toBeLessThan(open.result.recipientSuccess - 0.2);
    const layer3 = (r: typeof open.result) => r.layers.find((l) => l.layer === 3)?.senderEntropy ?? 0;
    expect(layer3(mixed.result)).toBeGreaterThan(layer3(open.result) + 0.5);
    expect(mixed.result.recipientEntropy).toBeGreaterThan(open.result.recipientEntropy);
    // Cover traffic is on the links: far more packets than the real messages and their acks.
    expect(mixed.run.stats.events).toBeGreaterThan(3 * open.run.stats.events);
  }, 180_000);
});
