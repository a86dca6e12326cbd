import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { addressFromSecretKey, hexToBytes } from "@nym-ts/chain-client";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve(fileURLToPath(import.meta.url), "../../../src/bin.ts");
const dir = mkdtempSync(join(tmpdir(), "watcher-bin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}

const config = {
  dataDir: join(dir, "data"),
  ethereum: {
    rpcUrl: "http://127.0.0.1:1",
    chainId: 31337,
    tokenAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    pipeAccount: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  },
  chain: { rpcUrl: "http://127.0.0.1:1", keyFile: join(dir, "watcher.key") },
  http: { port: 0 },
};

describe("nym-ethereum-watcher binary", () => {
  it("--validate-only accepts a good config and exits 0", async () => {
    const file = join(dir, "good.json");
    writeFileSync(file, JSON.stringify(config));
    const { code, out } = await run(["--config", file, "--validate-only"]);
    expect(out).toContain("configuration is valid");
    expect(code).toBe(0);
  });

  it("names every bad key and exits 2 (unknown keys, bad address, flags override the file)", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ ...config, surprise: 1 }));
    const { code, out } = await run(["--config", file, "--validate-only", "--ethereum.pipeAccount", "0x12"], {
      NYM_ETHEREUM_WATCHER_ETHEREUM__CONFIRMATIONS: "-1",
    });
    expect(code).toBe(2);
    expect(out).toContain("ethereum.pipeAccount");
    expect(out).toContain("ethereum.confirmations");
    expect(out).toMatch(/surprise|Unrecognized/);
  });

  it("init writes a fresh 0600 key in a 0700 directory, prints its address, and never overwrites it", async () => {
    const keyFile = join(dir, "keys", "watcher0.key");
    const first = await run(["init", "--chain.keyFile", keyFile]);
    expect(first.code).toBe(0);
    const printed = JSON.parse(first.out.trim()) as { address: string; keyFile: string };
    expect(printed.keyFile).toBe(keyFile);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "keys")).mode & 0o777).toBe(0o700);
    const key = readFileSync(keyFile, "utf8").trim();
    expect(printed.address).toBe(addressFromSecretKey(hexToBytes(key, "key")));
    expect(first.out).not.toContain(key);
    const again = await run(["init", "--chain.keyFile", keyFile]);
    expect(again.code).toBe(2);
    expect(again.out).toContain("KEYFILE_ERROR_EXISTS");
    expect(readFileSync(keyFile, "utf8").trim()).toBe(key);
  });

  it("refuses a key file others can read, and exits 1", async () => {
    const file = join(dir, "start.json");
    writeFileSync(file, JSON.stringify(config));
    writeFileSync(config.chain.keyFile, `${"11".repeat(32)}\n`);
    chmodSync(config.chain.keyFile, 0o644);
    const { code, out } = await run(["--config", file]);
    expect(code).toBe(1);
    expect(out).toContain("KEYFILE_ERROR_PERMISSIONS");
    expect(out).not.toContain("11".repeat(32));
  });
});
