import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { findBins } from "../../src/bins.js";
import { buildLocalnet } from "../../src/build.js";
import { runCli } from "../../src/cli.js";
import { formatStatusTable, localnetStatus } from "../../src/runner.js";
import { SMALL_TOPOLOGY } from "../helpers/topologies.js";

describe("nym-localnet command line", () => {
  let root: string;
  let dir: string;
  const stderr: string[] = [];
  const stdout: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "localnet-cli-"));
    dir = join(root, "net");
    await buildLocalnet({ dir, topology: SMALL_TOPOLOGY, seed: "cli" });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeAll(() => {
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    vi.spyOn(console, "log").mockImplementation((...args) => {
      stdout.push(args.join(" "));
    });
    vi.spyOn(console, "error").mockImplementation((...args) => {
      stderr.push(args.join(" "));
    });
  });
  afterEach(() => {
    stderr.length = 0;
    stdout.length = 0;
  });

  it("rejects a topology flag that is not a number, or breaks a rule, naming the flag (exit 2)", async () => {
    expect(await runCli(["build", "--dir", join(root, "x"), "--validators", "four"])).toBe(2);
    expect(stderr.join("")).toMatch(/--validators must be a whole number/);
    stderr.length = 0;
    expect(await runCli(["build", "--dir", join(root, "y"), "--issuers", "2", "--threshold", "3"])).toBe(2);
    expect(stderr.join("")).toMatch(/--threshold: threshold exceeds the number of issuers/);
  });

  it("rejects an unknown flag with a hint (exit 2)", async () => {
    expect(await runCli(["up", "--dri", dir])).toBe(2);
    expect(stderr.join("")).toMatch(/unknown flag --dri \(did you mean --dir\?\)/);
  });

  it("names the services when `logs` is given one the plan does not have", async () => {
    await expect(runCli(["logs", "issuer-7", "--dir", dir])).rejects.toMatchObject({
      code: "LOCALNET_ERROR_UNKNOWN_SERVICE",
      message: expect.stringMatching(/no service issuer-7; the services: anvil, validator-0-ledger/),
    });
  });

  it("says that a service has no log before it was started, and that a directory is not built", async () => {
    expect(await runCli(["logs", "issuer-0", "--dir", dir])).toBe(1);
    expect(stderr.join("")).toMatch(/issuer-0 has not been started/);
    await expect(runCli(["status", "--dir", join(root, "nothing")])).rejects.toMatchObject({
      code: "LOCALNET_ERROR_NOT_BUILT",
    });
  });

  it("reports every service stopped before `up` (exit 1), as JSON lines with --json", async () => {
    expect(await runCli(["status", "--dir", dir, "--json"])).toBe(1);
    const rows = stdout.map((line) => JSON.parse(line) as { name: string; state: string });
    expect(rows.length).toBe(15);
    expect(rows.every((r) => r.state === "stopped")).toBe(true);
  });

  it("refuses `compose` topology flags for a built directory (its topology is the build's)", async () => {
    expect(await runCli(["compose", "--dir", dir, "--validators", "2", "--out", join(root, "c.yml")])).toBe(2);
    expect(stderr.join("")).toMatch(/is built: its topology is the one in localnet.json/);
  });
});

describe("a tree without some daemon packages", () => {
  it("reports their services skipped, naming the missing package", async () => {
    const root = mkdtempSync(join(tmpdir(), "localnet-skip-"));
    try {
      const dir = join(root, "net");
      await buildLocalnet({ dir, topology: SMALL_TOPOLOGY, seed: "skip" });
      const bins = findBins();
      bins.delete("nym-verifier");
      bins.delete("nym-service-provider");
      const rows = await localnetStatus({ dir, bins });
      const skipped = rows.filter((r) => r.state === "skipped");
      expect(skipped.map((r) => r.name)).toEqual(["verifier-0", "provider-0"]);
      expect(skipped[0]?.reason).toBe("packages/verifier is missing");
      expect(formatStatusTable(rows)).toContain("provider-0: skipped, packages/service-provider is missing");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
