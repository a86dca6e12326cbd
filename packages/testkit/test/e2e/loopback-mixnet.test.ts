import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDirectoryClient } from "@nym-ts/directory-client";
import { describe, expect, it } from "vitest";
import { startLoopbackMixnet } from "../../src/loopback-mixnet.js";

describe("startLoopbackMixnet", () => {
  it("starts every layer and gateway, all in the directory's topology, and removes its own directory on stop", async () => {
    let planned = 0;
    const net = await startLoopbackMixnet({
      layers: 3,
      mixnodesPerLayer: 2,
      gateways: 1,
      mixing: { loopRate: 1 },
      beforeMixnodesStart: ({ nodes }) => {
        planned = nodes.length;
        expect(nodes.every((n) => n.mixnode === undefined && n.child === undefined)).toBe(true);
      },
    });
    try {
      expect(planned).toBe(6);
      const topology = await createDirectoryClient({ baseUrl: net.directoryUrl }).getTopology();
      if (!topology.modified) throw new Error("no topology");
      expect(topology.topology.mixnodes.map((l) => l.nodes.length)).toEqual([2, 2, 2]);
      expect(topology.topology.gateways.map((g) => g.identityKey)).toEqual([net.gateways[0]?.identityKey]);
      expect(net.nodes.map((n) => [n.layer, n.index])).toEqual([
        [1, 0],
        [1, 1],
        [2, 0],
        [2, 1],
        [3, 0],
        [3, 1],
      ]);
      expect(net.nodes.every((n) => n.address.startsWith("/ip4/127.0.0.1/tcp/"))).toBe(true);
      expect(net.mixnodes).toHaveLength(6);
      expect(net.processes).toHaveLength(0);
      // The mixing options reach the nodes: with loops on, a mixnode's own loops come back through the others.
      const deadline = Date.now() + 10_000;
      while (!net.mixnodes.some((m) => m.core.counters.loopsReturned > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(net.mixnodes.some((m) => m.core.counters.loopsReturned > 0)).toBe(true);
    } finally {
      await net.stop();
    }
    expect(existsSync(net.dir)).toBe(false);
  }, 30_000);

  it("runs a mixnode as a child process, and keeps a data directory it was given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loopback-given-"));
    try {
      const net = await startLoopbackMixnet({ layers: 3, gateways: 0, processes: [2], dir });
      const child = net.processes[0]?.child;
      try {
        expect(net.processes.map((p) => p.layer)).toEqual([2]);
        expect(net.nodes.find((n) => n.layer === 2)?.child).toBe(child);
        expect(child?.exitCode).toBeNull();
        expect(net.gateways).toHaveLength(0);
      } finally {
        await net.stop();
      }
      expect(child?.exitCode !== null || child?.signalCode !== null).toBe(true);
      expect(existsSync(join(dir, "mix-2-0", "config.json"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses impossible shapes", async () => {
    await expect(startLoopbackMixnet({ layers: 4 })).rejects.toThrow(/layers/);
    await expect(startLoopbackMixnet({ mixnodesPerLayer: 0 })).rejects.toThrow(/mixnodesPerLayer/);
  });
});
