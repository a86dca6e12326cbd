import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, addressFromSecretKey, bytesToHex, hexToBytes, randomSecretKey } from "@nym-ts/chain-client";
import { loadConfig, readKeyFileText, writeKeyFile } from "@nym-ts/common";
import { z } from "zod";
import { ClientConfig } from "../config.js";
import { CLIENT_CONFIG_FILE } from "../keys.js";
import { ClientCredentialError } from "./errors.js";
import { ChainSection, CredentialsSection, EthereumSection } from "./sections.js";

/** The client's secp256k1 key (hex, 0600): its Ethereum address pays in and is its Nym account. */
export const ACCOUNT_KEY_FILE = "account.key";

/**
 * What the credential commands read from `<dir>/client.json`: the mixnet fields are optional (a client may use
 * credentials over HTTP only), the `chain` section is required.
 */
export const CredentialClientConfig = ClientConfig.extend({
  directoryUrl: z.url().optional().describe("Directory base URL (issuers and SPs are looked up there)"),
  gateway: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .describe("Identity key (hex) of the gateway holding this client's mailbox (for --via-mixnet)"),
  chain: ChainSection,
  ethereum: EthereumSection.optional(),
  credentials: CredentialsSection.default(CredentialsSection.parse({})),
}).describe("nymclient (credential commands)");
export type CredentialClientConfig = z.output<typeof CredentialClientConfig>;

/**
 * Loads the credential config: client.json < flags with a dot (`--chain.rpcUrl`, `--credentials.pollIntervalMs`);
 * other flags are the command's own.
 */
export function loadCredentialConfig(dir: string, flags: Record<string, string> = {}): CredentialClientConfig {
  const file = join(dir, CLIENT_CONFIG_FILE);
  if (!existsSync(file)) {
    throw new ClientCredentialError("CLIENT_ERROR_CONFIG", `${file} does not exist: run nymclient credential init`, {
      file,
    });
  }
  const overrides = Object.fromEntries(Object.entries(flags).filter(([k]) => k.includes(".")));
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  if (raw.chain === undefined && overrides["chain.rpcUrl"] === undefined) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_CONFIG",
      `${file} has no chain section: run nymclient credential init`,
      { file },
    );
  }
  return loadConfig({ schema: CredentialClientConfig, file, flags: overrides });
}

export interface CredentialInitOptions {
  chainRpcUrl: string;
  ethereum?: { rpcUrl: string; chainId: number; tokenAddress: string; confirmations?: number };
  directoryUrl?: string;
  issuers?: string[];
  /** Import this 0600 hex key file as the account key instead of creating a fresh key. */
  importKeyFile?: string;
}

/**
 * Sets up a client directory for credentials: the account key (fresh, imported, or the one already there) and the
 * chain/ethereum/credentials sections merged into client.json (created when absent, the mixnet fields kept).
 * Returns the account's address, to fund with ETH (gas) and NYM.
 */
export function initCredentialClient(dir: string, options: CredentialInitOptions): { address: Address } {
  const keyPath = join(dir, ACCOUNT_KEY_FILE);
  let key: Uint8Array;
  if (existsSync(keyPath)) {
    key = readAccountKey(dir);
    if (options.importKeyFile !== undefined) {
      const imported = parseAccountKey(readKeyFileText(options.importKeyFile), options.importKeyFile);
      if (bytesToHex(imported) !== bytesToHex(key)) {
        throw new ClientCredentialError("CLIENT_ERROR_CONFIG", `${keyPath} already holds another key`, { keyPath });
      }
    }
  } else {
    key =
      options.importKeyFile !== undefined
        ? parseAccountKey(readKeyFileText(options.importKeyFile), options.importKeyFile)
        : randomSecretKey();
    writeKeyFile(keyPath, bytesToHex(key));
  }
  const file = join(dir, CLIENT_CONFIG_FILE);
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const next: Record<string, unknown> = {
    ...current,
    ...(options.directoryUrl !== undefined ? { directoryUrl: options.directoryUrl } : {}),
    chain: ChainSection.parse({ rpcUrl: options.chainRpcUrl }),
    ...(options.ethereum !== undefined
      ? {
          ethereum: {
            rpcUrl: options.ethereum.rpcUrl,
            chainId: options.ethereum.chainId,
            tokenAddress: options.ethereum.tokenAddress,
            ...(options.ethereum.confirmations !== undefined ? { confirmations: options.ethereum.confirmations } : {}),
          },
        }
      : {}),
    credentials: {
      ...((current.credentials as Record<string, unknown> | undefined) ?? {}),
      ...(options.issuers !== undefined ? { issuers: options.issuers } : {}),
    },
  };
  const parsed = CredentialClientConfig.safeParse(next);
  if (!parsed.success) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_CONFIG",
      `invalid credential config: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      {},
    );
  }
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o644 });
  return { address: addressFromSecretKey(key) };
}

function parseAccountKey(text: string, source: string): Uint8Array {
  try {
    const key = hexToBytes(text, "account key");
    addressFromSecretKey(key);
    return key;
  } catch (cause) {
    throw new ClientCredentialError(
      "CLIENT_ERROR_CONFIG",
      `${source}: not a secp256k1 secret key in hex`,
      {},
      { cause },
    );
  }
}

/** The account key of the client in `dir` (0600, refused when others can read it). */
export function readAccountKey(dir: string): Uint8Array {
  const path = join(dir, ACCOUNT_KEY_FILE);
  return parseAccountKey(readKeyFileText(path), path);
}
