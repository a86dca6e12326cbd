import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import {
  type Ed25519Signer,
  generateEd25519Identity,
  type MixnodeRegistration,
  type SigningPurpose,
  signPayload,
} from "@nym-ts/directory-client";
import { createDirectory, type Directory, type DirectoryConfigInput } from "../../src/index.js";

export const silentLog = createLogger({ name: "test", level: "silent" });

/** A clock the test moves by hand. */
export function manualClock(start = 1_750_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "nym-directory-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startDirectory(
  config: DirectoryConfigInput,
  clock: () => number,
): Promise<{ directory: Directory; stop: () => Promise<void> }> {
  const { dir, cleanup } = tempDir();
  const directory = createDirectory(
    { http: { port: 0 }, storage: { path: join(dir, "directory.sqlite") }, ...config },
    { log: silentLog, clock },
  );
  await directory.ready();
  return {
    directory,
    stop: async () => {
      await directory.stop();
      cleanup();
    },
  };
}

export function randomKeyHex(): string {
  return generateEd25519Identity().signer.publicKey;
}

/** A fresh X25519 public key as hex: what a Sphinx key (and a client's encryption key) is. */
export function randomSphinxKeyHex(): string {
  return generateKeyPairSync("x25519").publicKey.export({ format: "raw-public" }).toString("hex");
}

export function mixnode(signer: Ed25519Signer, layer = 1, host = "10.0.0.1:1789"): MixnodeRegistration {
  return { identityKey: signer.publicKey, sphinxKey: randomSphinxKeyHex(), host, layer, version: "0.1.0" };
}

export function sign<T>(purpose: SigningPurpose, payload: T, signer: Ed25519Signer, timestamp: number) {
  return signPayload(purpose, payload, signer, timestamp);
}
