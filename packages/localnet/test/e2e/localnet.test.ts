import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildLocalnet } from "../../src/build.js";
import { groupMembers } from "../../src/processes.js";
import { downLocalnet, formatStatusTable, localnetStatus, upLocalnet } from "../../src/runner.js";
import { allPorts, planServices, resolveTopology } from "../../src/topology.js";
import { TINY_TOPOLOGY } from "../helpers/topologies.js";

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/** A base port (below the ephemeral range) whose planned ports are all free now. */
async function freeBasePort(): Promise<number> {
  const candidates = Array.from({ length: 10 }, (_, i) => 22_000 + 1_000 * i).sort(() => Math.random() - 0.5);
  for (const basePort of candidates) {
    const ports = allPorts(planServices(resolveTopology({ ...TINY_TOPOLOGY, basePort })));
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return basePort;
  }
  throw new Error("no free port range");
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return !existsSync("/proc/self");
  }
};

describe("nym-localnet up / status / down", () => {
  const root = mkdtempSync(join(tmpdir(), "localnet-e2e-"));
  const dir = join(root, "net");

  afterAll(async () => {
    // Whatever failed, no process of this localnet outlives the test.
    if (existsSync(join(dir, "localnet.json"))) await downLocalnet({ dir, out: () => {} });
    rmSync(root, { recursive: true, force: true });
  });

  it("builds a one-of-each network, starts every service healthy, reports a killed daemon dead and restarts it, and stops them all, leaving no process", async () => {
    const basePort = await freeBasePort();
    await buildLocalnet({ dir, topology: { ...TINY_TOPOLOGY, basePort }, seed: "e2e" });
    const lines: string[] = [];
    const up = await upLocalnet({ dir, out: (l) => lines.push(l), timeoutMs: 60_000 });
    const services = planServices(resolveTopology({ ...TINY_TOPOLOGY, basePort }));
    expect(up.skipped).toEqual([]);
    expect(up.started.sort()).toEqual(services.map((s) => s.name).sort());
    for (const s of services)
      expect(
        lines.some((l) => l.includes(`✓ ${s.name} `)),
        s.name,
      ).toBe(true);
    expect(lines.some((l) => l.includes("NYM token") && l.includes("deployed"))).toBe(true);

    const status = await localnetStatus({ dir });
    expect(status.map((s) => [s.name, s.state])).toEqual(services.map((s) => [s.name, "up"]));
    const pids = status.map((s) => s.pid as number);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    // Logs and pids stay under the build directory.
    for (const s of status) expect(s.log.startsWith(dir)).toBe(true);

    // A daemon that dies is reported dead, with the end of its log.
    const provider = status.find((s) => s.kind === "service-provider") as (typeof status)[number];
    process.kill(provider.pid as number, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    const afterKill = await localnetStatus({ dir });
    const dead = afterKill.find((s) => s.name === provider.name);
    expect(dead?.state).toBe("dead");
    expect(dead?.tail).toMatch(/nym-service-provider/);
    expect(formatStatusTable(afterKill)).toContain(`${provider.name} is dead; the end of its log:`);

    // `up` again starts only the dead one.
    const again = await upLocalnet({ dir, out: () => {} });
    expect(again.started).toEqual([provider.name]);
    expect(again.alreadyRunning.length).toBe(services.length - 1);
    const restarted = await localnetStatus({ dir });
    expect(restarted.every((s) => s.state === "up")).toBe(true);
    pids.push(restarted.find((s) => s.name === provider.name)?.pid as number);

    const { stopped } = await downLocalnet({ dir, out: () => {} });
    expect(stopped.sort()).toEqual(services.map((s) => s.name).sort());
    for (const pid of pids) {
      expect(alive(pid), `pid ${pid}`).toBe(false);
      expect(groupMembers(pid), `process group ${pid}`).toEqual([]);
    }
    expect((await localnetStatus({ dir })).every((s) => s.state === "stopped")).toBe(true);
  }, 150_000);
});
