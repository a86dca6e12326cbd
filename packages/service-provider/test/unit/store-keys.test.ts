import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isNymError } from "@nym-ts/common";
import { afterEach, describe, expect, it } from "vitest";
import { initServiceProviderKeys, readServiceProviderKeys, SpendStore } from "../../src/index.js";
import { randomAddress } from "../helpers/credentials.js";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "sp-store-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const zeta = (n: number) => `0x${n.toString(16).padStart(192, "0")}`;

describe("SpendStore", () => {
  it("claims a zeta once: a second claim of the same zeta fails, even from a second handle on the file", () => {
    const path = join(fresh(), "sp.sqlite");
    const address = randomAddress();
    const a = new SpendStore(path, address);
    const b = new SpendStore(path, address);
    expect(a.claim(zeta(1), "10")).toBe(true);
    expect(b.claim(zeta(1), "10")).toBe(false);
    expect(a.claim(zeta(1), "10")).toBe(false);
    expect(b.get(zeta(1))).toMatchObject({ status: "depositing", value: "10", depositTx: null });
    a.close();
    b.close();
  });

  it("moves a claim through deposited to spent, and releases only claims never deposited", () => {
    const store = new SpendStore(join(fresh(), "sp.sqlite"), randomAddress());
    store.claim(zeta(1), "1");
    store.claim(zeta(2), "2");
    store.markDeposited(zeta(1), "AB".repeat(32));
    expect(store.release(zeta(1))).toBe(false);
    expect(store.release(zeta(2))).toBe(true);
    expect(store.get(zeta(2))).toBeUndefined();
    expect(store.unsettled().map((r) => r.zeta)).toEqual([zeta(1)]);
    store.observe(zeta(1), "spent", true);
    expect(store.get(zeta(1))?.status).toBe("spent");
    expect(store.unsettled()).toEqual([]);
    store.observe(zeta(3), "spent", false);
    store.observe(zeta(4), "released", false);
    expect(store.counts()).toEqual({ spent: 1, spent_elsewhere: 1 });
    store.close();
  });

  it("refuses a file that belongs to another SP's address", () => {
    const path = join(fresh(), "sp.sqlite");
    new SpendStore(path, randomAddress()).close();
    let error: unknown;
    try {
      new SpendStore(path, randomAddress());
    } catch (e) {
      error = e;
    }
    expect(isNymError(error, "SP_ERROR_STORE")).toBe(true);
  });
});

describe("keys", () => {
  it("init writes three 0600 key files and reads them back; the address is the account key's", () => {
    const dir = join(fresh(), "data");
    const pub = initServiceProviderKeys(dir);
    expect(readdirSync(dir).sort()).toEqual(["account.key", "encryption.key", "identity.key"]);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const keys = readServiceProviderKeys(dir);
    expect(keys.address).toBe(pub.address);
    expect(keys.identityKey).toBe(pub.identityKey);
    expect(pub.address).toMatch(/^0x[0-9a-f]{40}$/);
    expect(() => initServiceProviderKeys(dir)).toThrow(/exists/);
  });

  it("refuses a key file others can read", () => {
    const dir = join(fresh(), "data");
    initServiceProviderKeys(dir);
    chmodSync(join(dir, "account.key"), 0o644);
    expect(() => readServiceProviderKeys(dir)).toThrow(/chmod 600/);
  });

  it("`nym-service-provider init --dataDir` prints the address and identity key as JSON", () => {
    const dir = join(fresh(), "data");
    const bin = fileURLToPath(new URL("../../src/bin.ts", import.meta.url));
    const result = spawnSync(
      process.execPath,
      ["--conditions=@nym-ts/source", "--import", "tsx", bin, "init", "--dataDir", dir],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout) as { address: string; identityKey: string };
    expect(printed.address).toBe(readServiceProviderKeys(dir).address);
    expect(printed.identityKey).toMatch(/^[0-9a-f]{64}$/);
  });
});
