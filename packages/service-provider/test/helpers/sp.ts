import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@nym-ts/common";
import {
  createServiceProvider,
  initServiceProviderKeys,
  type ServiceProvider,
  type ServiceProviderConfigInput,
  ServiceProviderConfigSchema,
  type ServiceProviderModules,
} from "../../src/index.js";
import { type CredentialWorld, credentialWorld } from "./credentials.js";
import { FakeChain } from "./fake-chain.js";

export const silentLog = createLogger({ name: "test", level: "silent" });

export interface FakeEnv {
  world: CredentialWorld;
  chain: FakeChain;
  sp: ServiceProvider;
  dir: string;
  stop(): Promise<void>;
}

/** A started SP on a fresh data dir, on the fake chain, with real credentials from a dealt key. */
export async function startOnFakeChain(
  overrides: Partial<ServiceProviderConfigInput> = {},
  world?: CredentialWorld,
  prepare?: (chain: FakeChain) => void,
  modules: Partial<ServiceProviderModules> = {},
): Promise<FakeEnv> {
  const w = world ?? (await credentialWorld());
  const dir = mkdtempSync(join(tmpdir(), "sp-unit-"));
  const { address } = initServiceProviderKeys(join(dir, "data"));
  const chain = new FakeChain(w.appState, address);
  prepare?.(chain);
  const config = ServiceProviderConfigSchema.parse({
    dataDir: join(dir, "data"),
    chain: { rpcUrl: "http://127.0.0.1:9" },
    http: { port: 0 },
    // The fake chain decides 20 ms after a deposit; 10 s leaves room for a loaded CI machine (the tests that want a
    // timeout set their own short one), so an accepted spend is never read as a timeout there.
    spend: { decisionTimeoutMs: 10_000, pollIntervalMs: 50 },
    ...overrides,
  });
  const sp = createServiceProvider(config, { log: silentLog, chain, params: w.params, ...modules });
  await sp.start();
  return {
    world: w,
    chain,
    sp,
    dir,
    async stop() {
      await sp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
