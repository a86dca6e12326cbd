import { join } from "node:path";
import { addressFromSecretKey, bytesToHex, hexToBytes, randomSecretKey } from "@nym-ts/chain-client";
import { decodeSecretKey, type Params, type SecretKey } from "@nym-ts/coconut";
import { isNymError, readKeyFile, readKeyFileText, writeKeyFile } from "@nym-ts/common";
import { ed25519SignerFromSeed, generateEd25519Identity } from "@nym-ts/directory-client";
import { IssuerError } from "./errors.js";

/** The Coconut key share: `encodeSecretKey` bytes as the dealer wrote them (binary). */
export const COCONUT_KEY_FILE = "coconut.key";
/** The chain account's secp256k1 secret key as hex (the issuer's address in genesis). */
export const CHAIN_KEY_FILE = "chain.key";
/** The Ed25519 identity seed (32 raw bytes) that signs directory registrations. */
export const IDENTITY_KEY_FILE = "identity.key";

export interface IssuerKeyPaths {
  coconutKeyFile: string;
  chainKeyFile: string;
  identityKeyFile: string;
}

export interface IssuerKeys {
  coconut: SecretKey;
  chainKey: Uint8Array;
  identitySeed: Uint8Array;
}

/** The key file paths of an issuer whose config names none: the three files in its data directory. */
export function defaultKeyPaths(dataDir: string): IssuerKeyPaths {
  return {
    coconutKeyFile: join(dataDir, COCONUT_KEY_FILE),
    chainKeyFile: join(dataDir, CHAIN_KEY_FILE),
    identityKeyFile: join(dataDir, IDENTITY_KEY_FILE),
  };
}

/**
 * Writes a fresh chain key and identity seed (0600, never over existing files) and returns their public parts: the
 * address genesis must name for this issuer and the identity key it registers with. The Coconut share is not made
 * here: it comes from the trusted dealer (`dealIssuerKeys`, or `nym-issuer deal`).
 */
export function initIssuerKeys(paths: Pick<IssuerKeyPaths, "chainKeyFile" | "identityKeyFile">): {
  address: string;
  identityKey: string;
} {
  const chainKey = randomSecretKey();
  const identity = generateEd25519Identity();
  writeKeyFile(paths.chainKeyFile, bytesToHex(chainKey));
  writeKeyFile(paths.identityKeyFile, identity.seed);
  return { address: addressFromSecretKey(chainKey), identityKey: identity.signer.publicKey };
}

/** Reads the three key files (each refused when group or others can access it) and checks their contents. */
export function readIssuerKeys(params: Params, paths: IssuerKeyPaths): IssuerKeys {
  let coconut: SecretKey;
  try {
    coconut = decodeSecretKey(params, readKeyFile(paths.coconutKeyFile));
  } catch (error) {
    if (isNymError(error)) throw error;
    throw new IssuerError(
      "ISSUER_ERROR_BAD_KEY",
      `${paths.coconutKeyFile} does not hold a Coconut key share for the credential attributes`,
      { path: paths.coconutKeyFile },
      { cause: error },
    );
  }
  if (coconut.y.length !== params.q) {
    throw new IssuerError("ISSUER_ERROR_BAD_KEY", `${paths.coconutKeyFile}: the share has ${coconut.y.length} ys`, {
      path: paths.coconutKeyFile,
    });
  }
  let chainKey: Uint8Array;
  try {
    chainKey = hexToBytes(readKeyFileText(paths.chainKeyFile), "chain key");
    addressFromSecretKey(chainKey);
  } catch (error) {
    if (isNymError(error)) throw error;
    throw new IssuerError(
      "ISSUER_ERROR_BAD_KEY",
      `${paths.chainKeyFile} does not hold a secp256k1 secret key as hex`,
      { path: paths.chainKeyFile },
      { cause: error },
    );
  }
  const identitySeed = new Uint8Array(readKeyFile(paths.identityKeyFile));
  if (identitySeed.length !== 32) {
    throw new IssuerError("ISSUER_ERROR_BAD_KEY", `${paths.identityKeyFile} must hold a 32-byte Ed25519 seed`, {
      path: paths.identityKeyFile,
    });
  }
  ed25519SignerFromSeed(identitySeed);
  return { coconut, chainKey, identitySeed };
}
