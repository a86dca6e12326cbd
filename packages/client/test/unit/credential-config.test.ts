import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressFromSecretKey, bytesToHex, randomSecretKey } from "@nym-ts/chain-client";
import { writeKeyFile } from "@nym-ts/common";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClientConfig } from "../../src/config.js";
import {
  ACCOUNT_KEY_FILE,
  initCredentialClient,
  loadCredentialConfig,
  readAccountKey,
} from "../../src/credentials/config.js";

const chainRpcUrl = "http://127.0.0.1:26657";
const ethereum = { rpcUrl: "http://127.0.0.1:8545", chainId: 31337, tokenAddress: `0x${"12".repeat(20)}` };

describe("credential config and account key", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cred-config-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("init writes a 0600 account key and the sections; loading applies defaults and dotted flags", () => {
    const { address } = initCredentialClient(dir, { chainRpcUrl, ethereum, issuers: ["http://127.0.0.1:8010"] });
    expect(statSync(join(dir, ACCOUNT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(addressFromSecretKey(readAccountKey(dir))).toBe(address);
    const config = loadCredentialConfig(dir, { "credentials.pollIntervalMs": "25", amount: "5" });
    expect(config.chain.rpcUrl).toBe(chainRpcUrl);
    expect(config.ethereum).toMatchObject({ ...ethereum, confirmations: 12 });
    expect(config.credentials).toMatchObject({ issuers: ["http://127.0.0.1:8010"], pollIntervalMs: 25 });
  });

  it("keeps the mixnet fields of an existing client.json, which the mixnet commands still accept", () => {
    const mixnet = { directoryUrl: "http://127.0.0.1:8080", gateway: "ab".repeat(32) };
    writeFileSync(join(dir, "client.json"), JSON.stringify(mixnet));
    initCredentialClient(dir, { chainRpcUrl });
    const raw = JSON.parse(readFileSync(join(dir, "client.json"), "utf8")) as Record<string, unknown>;
    expect(raw).toMatchObject({ ...mixnet, chain: { rpcUrl: chainRpcUrl } });
    expect(ClientConfig.safeParse(raw).success).toBe(true);
  });

  it("imports a key file, keeps the key on a second init, and refuses to replace it with another", () => {
    const key = randomSecretKey();
    const keyFile = join(dir, "imported.key");
    writeKeyFile(keyFile, bytesToHex(key));
    const first = initCredentialClient(dir, { chainRpcUrl, importKeyFile: keyFile });
    expect(first.address).toBe(addressFromSecretKey(key));
    expect(initCredentialClient(dir, { chainRpcUrl: "http://127.0.0.1:26658" }).address).toBe(first.address);
    const other = join(dir, "other.key");
    writeKeyFile(other, bytesToHex(randomSecretKey()));
    expect(() => initCredentialClient(dir, { chainRpcUrl, importKeyFile: other })).toThrow(
      expect.objectContaining({ code: "CLIENT_ERROR_CONFIG" }),
    );
  });

  it("tells the user to run credential init when the directory has no credential config", () => {
    expect(() => loadCredentialConfig(dir)).toThrow(expect.objectContaining({ code: "CLIENT_ERROR_CONFIG" }));
    writeFileSync(join(dir, "client.json"), JSON.stringify({ directoryUrl: "http://127.0.0.1:8080" }));
    expect(() => loadCredentialConfig(dir)).toThrow(/credential init/);
  });
});
