import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig, writeKeyFile } from "@nym-ts/common";
import { credentialParams, dealIssuerKeys } from "@nym-ts/credentials";
import { z } from "zod";
import { IssuerConfig } from "./config.js";
import { COCONUT_KEY_FILE, defaultKeyPaths, initIssuerKeys } from "./keys.js";

/** What a command of the bin gets (a subset of @nym-ts/common's parsed command line). */
interface CommandLine {
  flags: Record<string, string>;
  configFile: string | undefined;
  configFlags?: Record<string, string>;
}

const ENV_PREFIX = "NYM_ISSUER_";

/** The part of the config `init` reads: where the key files go. */
const InitConfig = z.looseObject({ dataDir: IssuerConfig.shape.dataDir, keys: IssuerConfig.shape.keys });

/**
 * `nym-issuer init --dataDir DIR`: creates the data directory (0700) with a fresh chain key and identity seed (0600,
 * never over existing files) and prints the address genesis must name and the identity key. The Coconut share comes
 * from the dealer (`nym-issuer deal`).
 */
export const initCommand = {
  describe: "write chain.key and identity.key (0600) into --dataDir and print the address and identity key",
  run(line: CommandLine): void {
    const config = loadConfig({
      schema: InitConfig,
      file: line.configFile,
      envPrefix: ENV_PREFIX,
      flags: line.configFlags ?? line.flags,
    });
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const defaults = defaultKeyPaths(config.dataDir);
    const paths = {
      chainKeyFile: config.keys.chainKeyFile ?? defaults.chainKeyFile,
      identityKeyFile: config.keys.identityKeyFile ?? defaults.identityKeyFile,
    };
    const keys = initIssuerKeys(paths);
    console.log(
      JSON.stringify({ ...keys, ...paths, coconutKeyFile: config.keys.coconutKeyFile ?? defaults.coconutKeyFile }),
    );
  },
};

/**
 * `nym-issuer deal --threshold T --issuers N --out DIR`: the trusted dealer. Writes DIR/issuer-<i>/coconut.key
 * (0600) for i = 1..N and prints each verification key share for genesis. Run it once, offline; ship each share to
 * its issuer only, and delete DIR.
 */
export const dealCommand = {
  describe: "trusted dealer: write t-of-n Coconut key shares to --out DIR/issuer-<i>/coconut.key, print the keys",
  flags: {
    threshold: { type: "string", value: "T", describe: "shares needed to issue a credential", required: true },
    issuers: { type: "string", value: "N", describe: "number of issuers (shares)", required: true },
    out: { type: "string", value: "DIR", describe: "directory for the issuer-<i> key directories", required: true },
  } as const,
  async run(line: CommandLine): Promise<void> {
    const threshold = Number(line.flags.threshold);
    const issuers = Number(line.flags.issuers);
    const out = line.flags.out;
    if (!Number.isInteger(issuers) || issuers < 1 || issuers > 1024) {
      throw new Error("deal needs --issuers N with 1 <= N <= 1024");
    }
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > issuers) {
      throw new Error("deal needs --threshold T with 1 <= T <= N");
    }
    if (!out) throw new Error("deal needs --out DIR");
    const dealt = dealIssuerKeys(await credentialParams(), threshold, issuers);
    const shares = dealt.keys.map((key) => {
      const dir = join(resolve(out), `issuer-${key.index}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const keyFile = join(dir, COCONUT_KEY_FILE);
      writeKeyFile(keyFile, key.secretKey);
      return { index: key.index, keyFile, verificationKey: key.verificationKey };
    });
    console.log(JSON.stringify({ threshold, issuers: shares }, null, 2));
  },
};
