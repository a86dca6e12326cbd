import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, addressFromSecretKey, bytesToHex, randomSecretKey } from "@nym-ts/chain-client";
import { createLogger, writeKeyFile } from "@nym-ts/common";
import type { CredentialNetwork } from "@nym-ts/testkit";
import { CredentialContext, initCredentialClient } from "../../src/credentials/index.js";
import { initClientDir } from "../../src/keys.js";

export const quietLog = createLogger({ name: "test", level: "silent" });

/** ETH for gas: plenty for a test account. */
export const GAS_ETH = 10n ** 18n;

/** Fast polling, and fast mixnet traffic for --via-mixnet (no cover, short delays). */
export const FAST_FLAGS: Record<string, string> = {
  "ethereum.pollIntervalMs": "100",
  "credentials.pollIntervalMs": "50",
  "credentials.collectTimeoutMs": "30000",
  "credentials.spendTimeoutMs": "60000",
  "traffic.lambdaP": "100",
  "traffic.lambdaD": "0",
  "traffic.lambdaL": "0",
  "traffic.meanDelayMs": "2",
  "traffic.ackTimeoutExtraMs": "1500",
};

export interface TestClient {
  dir: string;
  ctx: CredentialContext;
  address: string;
}

/**
 * A credential client directory set up against the network (`nymclient init` first when the network has a mixnet,
 * then `credential init`), its Ethereum address funded with `nym` base units of NYM and ETH for gas, opened as a
 * `CredentialContext` with FAST_FLAGS.
 */
export async function newCredentialClient(
  net: CredentialNetwork,
  name: string,
  nym: bigint,
  options: { keyFile?: string } = {},
): Promise<TestClient> {
  const dir = join(net.dir, "clients", name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const gateway = net.mixnet?.gateways[0]?.identityKey;
  if (gateway !== undefined) initClientDir(dir, { directoryUrl: net.directoryUrl, gateway });
  const { address } = initCredentialClient(dir, {
    chainRpcUrl: net.chainRpcUrl,
    ethereum: {
      rpcUrl: net.ethereum.rpcUrl,
      chainId: net.ethereum.chainId,
      tokenAddress: net.ethereum.tokenAddress,
      confirmations: net.ethereum.confirmations,
    },
    directoryUrl: net.directoryUrl,
    ...(options.keyFile !== undefined ? { importKeyFile: options.keyFile } : {}),
  });
  if (nym > 0n) await net.fund(address, { nym, eth: GAS_ETH });
  const ctx = CredentialContext.open(dir, { log: quietLog, flags: FAST_FLAGS });
  return { dir, ctx, address };
}

/** A fresh account key in a 0600 file (to give it a genesis balance before the network starts, then import it). */
export function accountKeyFile(): { keyFile: string; address: Address } {
  const key = randomSecretKey();
  const keyFile = join(mkdtempSync(join(tmpdir(), "cred-key-")), "account.key");
  writeKeyFile(keyFile, bytesToHex(key));
  return { keyFile, address: addressFromSecretKey(key) };
}
