import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { addressFromSecretKey, hexToBytes } from "@nym-ts/chain-client";
import { readKeyFile, readKeyFileText } from "@nym-ts/common";
import { ed25519SignerFromSeed } from "@nym-ts/directory-client";
import { afterEach, describe, expect, it } from "vitest";

const BIN = resolve(fileURLToPath(import.meta.url), "../../../src/bin.ts");
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--conditions=@nym-ts/source", "--import", "tsx", BIN, ...args], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, NYM_VERIFIER_LOG__LEVEL: "warn" },
  });

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "verifier-bin-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("nym-verifier binary", () => {
  it("init writes fresh 0600 chain and identity keys, prints their public parts, and never overwrites them", () => {
    const dataDir = join(tempDir(), "data");
    const r = run("init", "--dataDir", dataDir);
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout) as Record<string, string>;
    for (const file of ["chain.key", "identity.key"]) {
      expect(statSync(join(dataDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(printed.address).toBe(addressFromSecretKey(hexToBytes(readKeyFileText(join(dataDir, "chain.key")))));
    expect(printed.identityKey).toBe(
      ed25519SignerFromSeed(new Uint8Array(readKeyFile(join(dataDir, "identity.key")))).publicKey,
    );
    const again = run("init", "--dataDir", dataDir);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/KEYFILE_ERROR_EXISTS/);
  });

  it("--validate-only accepts a good config and names every bad key of a bad one (exit 2)", () => {
    const dir = tempDir();
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ dataDir: dir, chain: { rpcUrl: "http://127.0.0.1:26657" } }));
    const ok = run("--config", good, "--validate-only");
    expect(ok.status).toBe(0);
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ dataDir: dir, chain: { rpcUrl: "ftp://x", extra: 1 }, verify: { maxBatch: 0 } }),
    );
    const refused = run("--config", bad, "--validate-only");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/chain\.rpcUrl/);
    expect(refused.stderr).toMatch(/verify\.maxBatch/);
    expect(refused.stderr).toMatch(/extra/);
  });

  it("refuses to run with a chain key readable by others (exit 1, KEYFILE_ERROR_PERMISSIONS)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "chain.key"), "11".repeat(32), { mode: 0o644 });
    const r = run("--dataDir", dir, "--chain.rpcUrl", "http://127.0.0.1:1", "--http.port", "0");
    expect(r.status).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/KEYFILE_ERROR_PERMISSIONS/);
  });
});
