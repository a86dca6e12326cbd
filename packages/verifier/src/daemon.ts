import { mkdirSync } from "node:fs";
import { connectChain } from "@nym-ts/chain-client";
import { type DaemonCommand, type Logger, loadConfig, type Service } from "@nym-ts/common";
import { createDirectoryClient, ed25519SignerFromSeed } from "@nym-ts/directory-client";
import { z } from "zod";
import { VerifierConfig } from "./config.js";
import { initVerifierKeys, keyPaths, readChainKey, readIdentitySeed } from "./keys.js";
import { createVerifier, type Verifier } from "./verifier.js";

/**
 * The daemon as a service: reads the key files, connects the chain client, and runs the verifier (which checks this
 * key is a genesis verifier and follows deposits); registers in the directory when `directory.url` is set.
 */
export function createVerifierDaemon(
  config: VerifierConfig,
  modules: { log: Logger; version?: string },
): Service & { readonly verifier: Verifier | undefined } {
  let verifier: Verifier | undefined;
  let closeChain: (() => void) | undefined;
  return {
    get verifier() {
      return verifier;
    },
    async start() {
      const paths = keyPaths(config.dataDir, config.keys);
      const secretKey = readChainKey(paths.chainKeyFile);
      const identitySeed = config.directory.url ? readIdentitySeed(paths.identityKeyFile) : undefined;
      const { rpcUrl, ...following } = config.chain;
      const chain = await connectChain({ rpcUrl, log: modules.log });
      closeChain = () => chain.close();
      verifier = createVerifier(
        { dataDir: config.dataDir, chain: following, verify: config.verify, http: config.http },
        {
          log: modules.log,
          chain,
          secretKey,
          ...(modules.version !== undefined ? { version: modules.version } : {}),
          ...(config.directory.url && identitySeed
            ? {
                registration: {
                  directory: createDirectoryClient({ baseUrl: config.directory.url }),
                  signer: ed25519SignerFromSeed(identitySeed),
                  apiUrl: config.directory.apiUrl,
                },
              }
            : {}),
        },
      );
      try {
        await verifier.start();
      } catch (error) {
        closeChain();
        throw error;
      }
    },
    async stop() {
      await verifier?.stop();
      closeChain?.();
    },
  };
}

/** The part of the config `init` reads: where the key files go. */
const InitConfig = z.looseObject({ dataDir: VerifierConfig.shape.dataDir, keys: VerifierConfig.shape.keys });

/**
 * `nym-verifier init --dataDir DIR`: creates the data directory (0700) with a fresh chain key and identity seed (0600,
 * never over existing files) and prints the address genesis must list among the verifiers and the identity key.
 */
export const initCommand: DaemonCommand = {
  describe: "write chain.key and identity.key (0600) into --dataDir and print the address and identity key",
  run(line) {
    const config = loadConfig({
      schema: InitConfig,
      file: line.configFile,
      envPrefix: ENV_PREFIX,
      flags: line.configFlags ?? line.flags,
    });
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const paths = keyPaths(config.dataDir, config.keys);
    console.log(JSON.stringify({ ...initVerifierKeys(paths), ...paths }));
  },
};

export const ENV_PREFIX = "NYM_VERIFIER_";
