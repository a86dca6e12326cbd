import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientConfig, CredentialClientConfig } from "@nym-ts/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binCommand, findBins } from "../../src/bins.js";
import { buildLocalnet } from "../../src/build.js";
import { composeEnvironments } from "../../src/compose.js";
import { configFileOf, DAEMONS, type DaemonKind, isDaemon } from "../../src/configs.js";
import { planServices, resolveTopology } from "../../src/topology.js";
import { SMALL_TOPOLOGY } from "../helpers/topologies.js";

/** Runs `<bin> run [--config file] --validate-only` with `env` added; resolves with its exit code and output. */
function validate(
  kind: DaemonKind,
  configFile: string | undefined,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const args = ["run", ...(configFile ? ["--config", configFile] : []), "--validate-only"];
  const command = binCommand(findBins().get(DAEMONS[kind].bin), args);
  if (command === undefined) throw new Error(`${DAEMONS[kind].bin} is not in the tree`);
  // The daemon's own variables only: a NYM_* of the test's environment must not change what is checked.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("NYM_")));
  return new Promise((resolve) => {
    const child = spawn(command.command, command.args, { env: { ...base, ...env } });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** `items` through `fn`, `limit` at a time (the machine has two cores). */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i] as T);
      }
    }),
  );
  return results;
}

describe("daemon configs", () => {
  let root: string;
  let dir: string;
  const topology = resolveTopology(SMALL_TOPOLOGY);
  // One service of each daemon kind whose package is in the tree.
  const bins = findBins();
  const samples = planServices(topology).filter(
    (s, i, all) => isDaemon(s.kind) && bins.has(DAEMONS[s.kind].bin) && all.findIndex((o) => o.kind === s.kind) === i,
  );

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "localnet-configs-"));
    dir = join(root, "net");
    await buildLocalnet({ dir, topology, seed: "configs" });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("finds every daemon of the localnet in this tree", () => {
    expect(samples.map((s) => s.kind).sort()).toEqual(Object.keys(DAEMONS).sort());
  });

  it("writes configs each daemon accepts (`--validate-only`), natively and with the compose file's environment", async () => {
    const environments = composeEnvironments(topology);
    const runs = samples.flatMap((s) => {
      const kind = s.kind as DaemonKind;
      const file = join(dir, s.dir, configFileOf(kind));
      const env = environments.get(s.name)?.env ?? {};
      return [
        { what: `${s.name} native`, kind, file: file as string | undefined, env: {} },
        // The validator container runs the ledger from its environment alone (deploy/validator/entrypoint.sh).
        { what: `${s.name} container`, kind, file: kind === "validator" ? undefined : file, env },
      ];
    });
    const results = await pool(runs, 2, async (r) => ({ ...r, ...(await validate(r.kind, r.file, r.env)) }));
    for (const r of results) {
      expect(r.output, r.what).toContain("configuration is valid");
      expect(r.code, r.what).toBe(0);
    }
  }, 120_000);

  it("writes client.json files nymclient's schemas accept, natively and for the container", () => {
    for (const file of ["client.json", "docker.json"]) {
      const config = JSON.parse(readFileSync(join(dir, "localclient", file), "utf8"));
      expect(ClientConfig.safeParse(config).success, file).toBe(true);
      expect(CredentialClientConfig.safeParse(config).success, file).toBe(true);
    }
  });

  it("gives each container the environment that turns the native config into its own: paths under /config and /data, other services by name", () => {
    const env = composeEnvironments(resolveTopology({}));
    expect(env.get("issuer-1")?.env).toEqual({
      NYM_ISSUER_DATA_DIR: "/data",
      NYM_ISSUER_KEYS__COCONUT_KEY_FILE: "/config/coconut.key",
      NYM_ISSUER_KEYS__CHAIN_KEY_FILE: "/config/chain.key",
      NYM_ISSUER_KEYS__IDENTITY_KEY_FILE: "/config/identity.key",
      NYM_ISSUER_CHAIN__RPC_URL: "http://validator-1:21104",
      NYM_ISSUER_HTTP__HOST: "0.0.0.0",
      NYM_ISSUER_HTTP__PORT: "21301",
      NYM_ISSUER_DIRECTORY__URL: "http://directory:21001",
      NYM_ISSUER_DIRECTORY__API_URL: "http://issuer-1:21301",
    });
    for (const [name, { env: vars }] of env) {
      for (const [key, value] of Object.entries(vars)) {
        expect(value, `${name} ${key}`).not.toMatch(/\/build\//);
        if (key.endsWith("_URL")) expect(value, `${name} ${key}`).not.toContain("127.0.0.1");
      }
    }
  });
});
