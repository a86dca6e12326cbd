import type { DirectoryClient } from "@nym-ts/directory-client";
import { createIssuer, type Issuer, type IssuerConfigInput } from "../../src/index.js";
import { appStateFor, type Dealt, FakeChain, issuerDir, silentLog, tempDir } from "./fixtures.js";

/**
 * A whole issuer (createIssuer: key files, store, follower, HTTP on a free port) over a FakeChain whose genesis names
 * it as issuer `index` of the dealing.
 */
export async function startFakeIssuer(
  d: Dealt,
  options: {
    index?: number;
    config?: Partial<IssuerConfigInput>;
    directory?: Pick<DirectoryClient, "register">;
  } = {},
): Promise<{ issuer: Issuer; chain: FakeChain; dataDir: string; stop: () => Promise<void> }> {
  const index = options.index ?? 1;
  const { dir, cleanup } = tempDir();
  const made = issuerDir(dir, d.keys[index - 1] as never);
  const chain = new FakeChain(appStateFor(d, { [index]: made.address }));
  const issuer = createIssuer(
    {
      dataDir: made.dataDir,
      chain: { rpcUrl: "http://127.0.0.1:1", idleCheckpointMs: 100, retryInitialMs: 10, retryMaxMs: 50 },
      http: { host: "127.0.0.1", port: 0 },
      ...options.config,
    },
    {
      log: silentLog,
      chain,
      params: d.params,
      version: "0.1.0-test",
      ...(options.directory ? { directory: options.directory } : {}),
    },
  );
  try {
    await issuer.start();
  } catch (error) {
    cleanup();
    throw error;
  }
  return {
    issuer,
    chain,
    dataDir: made.dataDir,
    stop: async () => {
      await issuer.stop();
      cleanup();
    },
  };
}
