import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { repositoryRoot } from "../../src/bins.js";
import { buildLocalnet } from "../../src/build.js";
import { runCli } from "../../src/cli.js";
import { composeFile, composeHostNetworkOverride } from "../../src/compose.js";
import { DEFAULT_TOPOLOGY, planServices, resolveTopology } from "../../src/topology.js";
import { SMALL_TOPOLOGY } from "../helpers/topologies.js";

interface ComposeService {
  image: string;
  build: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
}
type Compose = { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

const root = repositoryRoot() as string;

describe("docker-compose.yml", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "localnet-compose-"));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("at the repository root is exactly what the generator writes for the default topology", () => {
    const committed = readFileSync(join(root, "docker-compose.yml"), "utf8");
    expect(committed).toBe(composeFile(DEFAULT_TOPOLOGY, { buildDir: "./build/localnet", context: "." }));
  });

  it("has one service per node plus anvil, the token job and the client, each nym-ts/<daemon> built from the root Dockerfile's target <daemon>", () => {
    const compose = parse(composeFile(DEFAULT_TOPOLOGY, { buildDir: "./b", context: "." })) as Compose;
    const nodes = planServices(DEFAULT_TOPOLOGY).filter((s) => s.kind !== "validator");
    expect(Object.keys(compose.services).sort()).toEqual(
      ["anvil", "token-deploy", "client", ...nodes.filter((s) => s.kind !== "anvil").map((s) => s.name)].sort(),
    );
    for (const [name, s] of Object.entries(compose.services)) {
      const image = s.image.replace(/^nym-ts\//, "");
      expect(s.build, name).toEqual({ context: ".", dockerfile: "Dockerfile", target: image });
    }
    expect(compose.services["issuer-0"]?.image).toBe("nym-ts/issuer");
    expect(compose.services["validator-3"]?.image).toBe("nym-ts/validator");
    expect(compose.services["token-deploy"]?.image).toBe("nym-ts/localnet");
    expect(compose.services.client?.command).toEqual(["demo", "--dir", "/client", "--via-mixnet"]);
    expect(compose.services.client?.profiles).toEqual(["client"]);
  });

  it("builds only targets that are stages of the repository's root Dockerfile", () => {
    const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
    const stages = new Set([...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)\s*$/gim)].map((m) => m[1]));
    const compose = parse(composeFile(DEFAULT_TOPOLOGY, { buildDir: "./b", context: "." })) as Compose;
    const targets = new Set(Object.values(compose.services).map((s) => s.build.target));
    expect([...targets].sort()).toEqual(
      [
        "anvil",
        "client",
        "directory",
        "ethereum-watcher",
        "gateway",
        "issuer",
        "localnet",
        "mixnode",
        "service-provider",
        "validator",
        "verifier",
      ].sort(),
    );
    for (const target of targets) expect(stages.has(target), target).toBe(true);
  });

  it("mounts config directories read-only, declares every named volume, checks every service's health and orders starts on it", () => {
    const compose = parse(composeFile(DEFAULT_TOPOLOGY, { buildDir: "./b", context: "." })) as Compose;
    const declared = new Set(Object.keys(compose.volumes));
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const [source, target, flags] = volume.split(":");
        if (source?.startsWith("./")) expect(flags, `${name} ${volume}`).toBe("ro");
        else expect(declared.has(source as string), `${name} ${volume}`).toBe(true);
        if (target === "/config") expect(source, name).toMatch(/^\.\/b\//);
      }
      if (name !== "token-deploy" && name !== "client") expect(s.healthcheck?.test[0], name).toBe("CMD");
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = compose.services[dep];
        expect(target, `${name} -> ${dep}`).toBeDefined();
        if (dep === "token-deploy") expect(condition).toBe("service_completed_successfully");
        else {
          expect(condition, `${name} -> ${dep}`).toBe("service_healthy");
          expect(target?.healthcheck, dep).toBeDefined();
        }
      }
    }
    expect(Object.keys(compose.services["provider-0"]?.depends_on ?? {})).toEqual([
      "validator-0",
      "directory",
      "gateway-0",
    ]);
  });

  it("mounts only what a build writes: every bind-mount source of the compose file exists in the build directory", async () => {
    const dir = join(tmp, "net");
    await buildLocalnet({ dir, topology: SMALL_TOPOLOGY, seed: "compose" });
    const compose = parse(composeFile(resolveTopology(SMALL_TOPOLOGY), { buildDir: dir, context: root })) as Compose;
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(":")[0] as string;
        if (source.startsWith("/")) expect(existsSync(source), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it("`nym-localnet compose` writes the file with paths relative to where it goes, and the host-network override", async () => {
    const out = join(tmp, "compose", "docker-compose.yml");
    const override = join(tmp, "compose", "host.yml");
    mkdirSync(join(tmp, "compose"), { recursive: true });
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const dir = join(tmp, "compose", "build", "ln");
    expect(await runCli(["compose", "--dir", dir, "--out", out, "--host-network", override])).toBe(0);
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual([`wrote ${out}`, `wrote ${override}`]);
    log.mockRestore();
    const text = readFileSync(out, "utf8");
    const context = relative(join(tmp, "compose"), root);
    expect(text).toBe(composeFile(DEFAULT_TOPOLOGY, { buildDir: "./build/ln", context }));
    const host = readFileSync(override, "utf8");
    expect(host).toBe(composeHostNetworkOverride(DEFAULT_TOPOLOGY));
    for (const name of Object.keys((parse(text) as Compose).services)) {
      expect(host).toContain(`  ${name}:\n    network_mode: host`);
      expect(host).toContain(`  - "${name}:127.0.0.1"`);
    }
  });
});
