import { generateKeyPairSync } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Address, addressFromSecretKey, bytesToHex, hexToBytes, randomSecretKey } from "@nym-ts/chain-client";
import { readKeyFile, readKeyFileText, writeKeyFile } from "@nym-ts/common";
import { ed25519SignerFromSeed, generateEd25519Identity } from "@nym-ts/directory-client";
import { ServiceProviderError } from "./errors.js";

/** The chain account's secp256k1 secret key, 64 hex digits: its address is the SP's identity and proof binding. */
export const ACCOUNT_KEY_FILE = "account.key";
/** The Ed25519 identity seed (32 raw bytes): signs directory registrations, and is the SP's mixnet identity. */
export const IDENTITY_KEY_FILE = "identity.key";
/** The X25519 secret (32 raw bytes) that mixnet messages to the SP are encrypted to. */
export const ENCRYPTION_KEY_FILE = "encryption.key";

export interface ServiceProviderKeys {
  accountKey: Uint8Array;
  /** The chain address of `accountKey`: spends must be bound to it, deposits are signed by it. */
  address: Address;
  identitySeed: Uint8Array;
  /** Hex Ed25519 public key of `identitySeed`. */
  identityKey: string;
  encryptionSecret: Uint8Array;
}

/** The public parts `init` prints. */
export interface ServiceProviderPublicKeys {
  address: Address;
  identityKey: string;
}

/**
 * Writes fresh keys (mode 0600) into `dir` (created 0700 when missing); refuses to replace an existing key file.
 * Returns the public parts: the chain address clients bind their proofs to, and the identity key.
 */
export function initServiceProviderKeys(dir: string): ServiceProviderPublicKeys {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const account = randomSecretKey();
  const identity = generateEd25519Identity();
  const { privateKey } = generateKeyPairSync("x25519");
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  const encryption = new Uint8Array(der.subarray(der.length - 32));
  writeKeyFile(join(dir, ACCOUNT_KEY_FILE), bytesToHex(account));
  writeKeyFile(join(dir, IDENTITY_KEY_FILE), identity.seed);
  writeKeyFile(join(dir, ENCRYPTION_KEY_FILE), encryption);
  return { address: addressFromSecretKey(account), identityKey: identity.signer.publicKey };
}

/** Reads the three key files from `dir`, refusing any another user could read, or of the wrong size. */
export function readServiceProviderKeys(dir: string): ServiceProviderKeys {
  const accountHex = readKeyFileText(join(dir, ACCOUNT_KEY_FILE));
  let accountKey: Uint8Array;
  try {
    accountKey = hexToBytes(accountHex, "account key");
  } catch (cause) {
    throw new ServiceProviderError("SP_ERROR_BAD_KEY", `${ACCOUNT_KEY_FILE} must hold 32 bytes as hex`, { cause });
  }
  const identitySeed = new Uint8Array(readKeyFile(join(dir, IDENTITY_KEY_FILE)));
  const encryptionSecret = new Uint8Array(readKeyFile(join(dir, ENCRYPTION_KEY_FILE)));
  if (accountKey.length !== 32 || identitySeed.length !== 32 || encryptionSecret.length !== 32) {
    throw new ServiceProviderError("SP_ERROR_BAD_KEY", `the key files in ${dir} must hold 32 bytes each`);
  }
  return {
    accountKey,
    address: addressFromSecretKey(accountKey),
    identitySeed,
    identityKey: ed25519SignerFromSeed(identitySeed).publicKey,
    encryptionSecret,
  };
}

/**
 * The `init` command of `nym-service-provider` (for `runDaemonMain`): writes the keys into `--dataDir` (or
 * NYM_SERVICE_PROVIDER_DATA_DIR) and prints the address and identity key as JSON.
 */
export const initKeysCommand = {
  describe: "write account.key, identity.key and encryption.key (0600) into --dataDir and print the address",
  run({ flags }: { flags: Record<string, string> }): void {
    const dir = flags.dataDir ?? process.env.NYM_SERVICE_PROVIDER_DATA_DIR;
    if (!dir) throw new Error("init needs --dataDir DIR");
    console.log(JSON.stringify(initServiceProviderKeys(dir)));
  },
};
