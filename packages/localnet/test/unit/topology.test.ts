import { describe, expect, it } from "vitest";
import { allPorts, DEFAULT_TOPOLOGY, PORT_RANGE, planServices, resolveTopology } from "../../src/topology.js";

describe("topology", () => {
  it("defaults to 4 validators, 3 watchers, 3 issuers with t = 2, 3 verifiers, 2 SPs, 3 x 2 mixnodes, 2 gateways", () => {
    expect(DEFAULT_TOPOLOGY).toEqual({
      validators: 4,
      watchers: 3,
      watcherThreshold: 2,
      issuers: 3,
      threshold: 2,
      verifiers: 3,
      verifierThreshold: 2,
      providers: 2,
      mixLayers: 3,
      mixnodesPerLayer: 2,
      gateways: 2,
      basePort: 21_000,
    });
  });

  it("fills in majority thresholds and keeps given ones", () => {
    expect(resolveTopology({ watchers: 5, verifiers: 1 })).toMatchObject({ watcherThreshold: 3, verifierThreshold: 1 });
    expect(resolveTopology({ watchers: 5, watcherThreshold: 5 }).watcherThreshold).toBe(5);
  });

  it("rejects thresholds above their member counts and counts out of range", () => {
    expect(() => resolveTopology({ issuers: 2, threshold: 3 })).toThrow(/threshold/);
    expect(() => resolveTopology({ watchers: 2, watcherThreshold: 3 })).toThrow(/watcherThreshold/);
    expect(() => resolveTopology({ verifiers: 1, verifierThreshold: 2 })).toThrow(/verifierThreshold/);
    expect(() => resolveTopology({ validators: 0 })).toThrow();
    expect(() => resolveTopology({ mixLayers: 4 })).toThrow();
    expect(() => resolveTopology({ basePort: 65_000 })).toThrow();
  });

  it("plans unique service names and unique ports inside the range, for the default and the largest topologies", () => {
    const largest = resolveTopology({
      validators: 33,
      watchers: 100,
      issuers: 100,
      verifiers: 100,
      providers: 100,
      mixLayers: 3,
      mixnodesPerLayer: 16,
      gateways: 50,
    });
    for (const topology of [DEFAULT_TOPOLOGY, largest]) {
      const services = planServices(topology);
      const names = services.map((s) => s.name);
      expect(new Set(names).size).toBe(names.length);
      const ports = allPorts(services);
      expect(new Set(ports).size).toBe(ports.length);
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(topology.basePort);
        expect(port).toBeLessThan(topology.basePort + PORT_RANGE);
      }
    }
  });

  it("plans every kind of the default topology once per node, starting each after what it depends on", () => {
    const services = planServices(DEFAULT_TOPOLOGY);
    const count = (kind: string) => services.filter((s) => s.kind === kind).length;
    expect([count("anvil"), count("cometbft"), count("validator"), count("directory")]).toEqual([1, 4, 4, 1]);
    expect([count("ethereum-watcher"), count("issuer"), count("verifier"), count("service-provider")]).toEqual([
      3, 3, 3, 2,
    ]);
    expect([count("mixnode"), count("gateway")]).toEqual([6, 2]);
    const stage = new Map(services.map((s) => [s.name, s.stage]));
    for (const s of services) {
      for (const dep of s.dependsOn) expect(stage.get(dep), `${s.name} after ${dep}`).toBeLessThan(s.stage);
    }
  });
});
