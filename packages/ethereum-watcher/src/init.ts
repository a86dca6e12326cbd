import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { addressFromSecretKey, bytesToHex, randomSecretKey } from "@nym-ts/chain-client";
import { type DaemonCommand, loadConfig, writeKeyFile } from "@nym-ts/common";
import { z } from "zod";

export const ENV_PREFIX = "NYM_ETHEREUM_WATCHER_";

/** Only the key file: the rest of a full config file is allowed, not needed. */
const InitConfig = z.looseObject({
  chain: z.looseObject({
    keyFile: z.string().min(1).describe("File (mode 0600) to write the watcher's secp256k1 key to, as hex"),
  }),
});

/**
 * `nym-ethereum-watcher init --chain.keyFile FILE`: a fresh secp256k1 key written as hex (0600, its directory created
 * 0700, never over an existing file), and the address genesis must list among the watchers, printed as JSON.
 */
export const initCommand: DaemonCommand = {
  describe: "write a fresh secp256k1 key (0600) to --chain.keyFile and print its address for genesis",
  run(line) {
    const config = loadConfig({
      schema: InitConfig,
      file: line.configFile,
      envPrefix: ENV_PREFIX,
      flags: line.configFlags ?? line.flags,
    });
    const keyFile = config.chain.keyFile;
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    const secretKey = randomSecretKey();
    writeKeyFile(keyFile, bytesToHex(secretKey));
    console.log(JSON.stringify({ address: addressFromSecretKey(secretKey), keyFile }));
  },
};
