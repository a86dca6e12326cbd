import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import type { CredentialNetwork } from "@nym-ts/testkit";
import { CredentialContext, initCredentialClient } from "../../src/credentials/index.js";

export const quietLog = createLogger({ name: "test", level: "silent" });

/** ETH for gas: plenty for a test account. */
export const GAS_ETH = 10n ** 18n;

/**
 * A credential client directory set up against the network (`credential init`), its Ethereum address funded with
 * `nym` base units of NYM and ETH for gas, opened as a `CredentialContext`.
 */
export async function newCredentialClient(
  net: CredentialNetwork,
  name: string,
  nym: bigint,
  extra: { issuers?: string[]; settings?: Record<string, unknown> } = {},
): Promise<{ dir: string; ctx: CredentialContext; address: string }> {
  const dir = join(net.dir, "clients", name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { address } = initCredentialClient(dir, {
    chainRpcUrl: net.chainRpcUrl,
    ethereum: {
      rpcUrl: net.ethereum.rpcUrl,
      chainId: net.ethereum.chainId,
      tokenAddress: net.ethereum.tokenAddress,
      confirmations: net.ethereum.confirmations,
    },
    directoryUrl: net.directoryUrl,
    ...(extra.issuers ? { issuers: extra.issuers } : {}),
  });
  await net.fund(address, { nym, eth: GAS_ETH });
  const ctx = CredentialContext.open(dir, {
    log: quietLog,
    flags: {
      "ethereum.pollIntervalMs": "100",
      "credentials.pollIntervalMs": "50",
      "credentials.collectTimeoutMs": "30000",
    },
  });
  return { dir, ctx, address };
}
