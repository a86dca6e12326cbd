import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../../src/bin.ts");

/** nym-validator from its sources (tsx), as the localnet runs it; resolves with the exit code and both outputs. */
async function validator(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("nym-validator binary", () => {
  it("--help exits 0 and lists every config key with its default and environment variable", async () => {
    const { code, stdout } = await validator(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: nym-validator /);
    expect(stdout).toMatch(/--abci\.port <integer> +.*\(default: 26658\) \[env NYM_VALIDATOR_ABCI__PORT\]/);
    for (const key of ["abci.host", "abci.socket", "data.dir", "log.level", "cometbft.home"])
      expect(stdout).toContain(`--${key} <`);
    expect(stdout).toMatch(/--data\.dir <string> +.*\(required\) \[env NYM_VALIDATOR_DATA__DIR\]/);
  });

  it("exits 2 on an unknown flag and validates a config with --validate-only", async () => {
    const unknown = await validator(["--abci.prot", "1"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown flag --abci.prot (did you mean --abci.port?)");
    const valid = await validator(["--validate-only", "--data.dir", "/tmp/nym-validator-unused"]);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain("configuration is valid");
    const missing = await validator(["--validate-only"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("data");
  });
});
