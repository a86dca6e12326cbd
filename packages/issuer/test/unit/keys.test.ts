import { chmodSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addressFromSecretKey, hexToBytes } from "@nym-ts/chain-client";
import { readKeyFileText, writeKeyFile } from "@nym-ts/common";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { COCONUT_KEY_FILE, defaultKeyPaths, IssuerConfig, initIssuerKeys, readIssuerKeys } from "../../src/index.js";
import { type Dealt, dealt, issuerDir, tempDir } from "../helpers/fixtures.js";

let d: Dealt;
beforeAll(async () => {
  d = await dealt();
});

describe("issuer key files", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const dir = () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    return t.dir;
  };

  it("init writes a chain key and an identity seed with mode 0600, prints their public parts, never overwrites", () => {
    const paths = defaultKeyPaths(dir());
    const made = initIssuerKeys(paths);
    for (const file of [paths.chainKeyFile, paths.identityKeyFile]) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(made.address).toBe(addressFromSecretKey(hexToBytes(readKeyFileText(paths.chainKeyFile))));
    expect(made.identityKey).toMatch(/^[0-9a-f]{64}$/);
    expect(() => initIssuerKeys(paths)).toThrow(/already exists/);
  });

  it("reads the dealer's share with the chain and identity keys", () => {
    const { dataDir, address } = issuerDir(dir(), d.keys[1] as never);
    const keys = readIssuerKeys(d.params, defaultKeyPaths(dataDir));
    expect(keys.coconut.index).toBe(2);
    expect(keys.coconut.x).toBe(d.secrets[1]?.x);
    expect(addressFromSecretKey(keys.chainKey)).toBe(address);
    expect(keys.identitySeed).toHaveLength(32);
  });

  it("refuses key files others can read, and files that do not hold their key", () => {
    const { dataDir } = issuerDir(dir(), d.keys[0] as never);
    const paths = defaultKeyPaths(dataDir);
    chmodSync(paths.coconutKeyFile, 0o644);
    expect(() => readIssuerKeys(d.params, paths)).toThrow(/chmod 600/);
    chmodSync(paths.coconutKeyFile, 0o600);
    writeFileSync(paths.coconutKeyFile, "not a share");
    expect(() => readIssuerKeys(d.params, paths)).toThrow(
      expect.objectContaining({ code: "ISSUER_ERROR_BAD_KEY" }) as never,
    );

    const other = join(dir(), COCONUT_KEY_FILE);
    writeKeyFile(other, d.keys[0]?.secretKey as Uint8Array);
    writeFileSync(paths.chainKeyFile, "zz", { mode: 0o600 });
    expect(() => readIssuerKeys(d.params, { ...paths, coconutKeyFile: other })).toThrow(/secp256k1/);
  });
});

describe("IssuerConfig", () => {
  it("needs directory.apiUrl when registering while listening on a wildcard address", () => {
    const base = { dataDir: "/tmp/x", chain: { rpcUrl: "http://127.0.0.1:26657" } };
    expect(IssuerConfig.safeParse(base).success).toBe(true);
    const wildcard = { ...base, http: { host: "0.0.0.0" }, directory: { url: "http://directory:8080" } };
    const result = IssuerConfig.safeParse(wildcard);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["directory", "apiUrl"]);
    expect(
      IssuerConfig.safeParse({ ...wildcard, directory: { ...wildcard.directory, apiUrl: "http://issuer-1:8010" } })
        .success,
    ).toBe(true);
    expect(IssuerConfig.safeParse({ ...base, chain: { rpcUrl: "ftp://x" } }).success).toBe(false);
    expect(IssuerConfig.safeParse({ ...base, extra: 1 }).success).toBe(false);
  });
});
