import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readKeyFile, writeKeyFile } from "@nym-ts/common";
import { generateX25519 } from "@nym-ts/mixnet";

export const CLIENT_IDENTITY_FILE = "identity.key";
export const CLIENT_ENCRYPTION_FILE = "encryption.key";
export const CLIENT_CONFIG_FILE = "client.json";

/** Writes a new client's keys (0600) and its config file; refuses to overwrite existing keys. */
export function initClientDir(dir: string, config: { directoryUrl: string; gateway: string }): void {
  writeKeyFile(join(dir, CLIENT_IDENTITY_FILE), new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(32))));
  writeKeyFile(join(dir, CLIENT_ENCRYPTION_FILE), generateX25519().secretKey);
  writeFileSync(join(dir, CLIENT_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
}

export function readClientKeys(dir: string): { identitySeed: Uint8Array; encryptionSecret: Uint8Array } {
  return {
    identitySeed: new Uint8Array(readKeyFile(join(dir, CLIENT_IDENTITY_FILE))),
    encryptionSecret: new Uint8Array(readKeyFile(join(dir, CLIENT_ENCRYPTION_FILE))),
  };
}
