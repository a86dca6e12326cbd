import { join } from "node:path";
import { addressFromSecretKey, bytesToHex, hexToBytes, randomSecretKey } from "@nym-ts/chain-client";
import { isNymError, readKeyFile, readKeyFileText, writeKeyFile } from "@nym-ts/common";
import { ed25519SignerFromSeed, generateEd25519Identity } from "@nym-ts/directory-client";
import { VerifierError } from "./errors.js";

/** The chain account's secp256k1 secret key as hex (the verifier's address in genesis). */
export const CHAIN_KEY_FILE = "chain.key";
/** The Ed25519 identity seed (32 raw bytes) that signs directory registrations. */
export const IDENTITY_KEY_FILE = "identity.key";

export interface VerifierKeyPaths {
  chainKeyFile: string;
  identityKeyFile: string;
}

/** The key file paths of a verifier whose config names none: both files in its data directory. */
export function keyPaths(dataDir: string, keys: Partial<VerifierKeyPaths> = {}): VerifierKeyPaths {
  return {
    chainKeyFile: keys.chainKeyFile ?? join(dataDir, CHAIN_KEY_FILE),
    identityKeyFile: keys.identityKeyFile ?? join(dataDir, IDENTITY_KEY_FILE),
  };
}

/**
 * Writes a fresh chain key and identity seed (0600, never over existing files) and returns their public parts: the
 * address genesis must list among the verifiers, and the identity key the verifier registers with.
 */
export function initVerifierKeys(paths: VerifierKeyPaths): { address: string; identityKey: string } {
  const chainKey = randomSecretKey();
  const identity = generateEd25519Identity();
  writeKeyFile(paths.chainKeyFile, bytesToHex(chainKey));
  writeKeyFile(paths.identityKeyFile, identity.seed);
  return { address: addressFromSecretKey(chainKey), identityKey: identity.signer.publicKey };
}

/** Reads the chain key (hex, in a 0600 file) and checks it is a secp256k1 secret key. */
export function readChainKey(path: string): Uint8Array {
  try {
    const key = hexToBytes(readKeyFileText(path), "chain key");
    addressFromSecretKey(key);
    if (key.length !== 32) throw new RangeError("chain key: expected 32 bytes");
    return key;
  } catch (error) {
    if (isNymError(error)) throw error;
    throw new VerifierError(
      "VERIFIER_ERROR_BAD_KEY",
      `${path} does not hold a secp256k1 secret key as hex`,
      { path },
      { cause: error },
    );
  }
}

/** Reads the Ed25519 identity seed (32 raw bytes in a 0600 file). */
export function readIdentitySeed(path: string): Uint8Array {
  const seed = new Uint8Array(readKeyFile(path));
  if (seed.length !== 32) {
    throw new VerifierError("VERIFIER_ERROR_BAD_KEY", `${path} must hold a 32-byte Ed25519 seed`, { path });
  }
  ed25519SignerFromSeed(seed);
  return seed;
}
