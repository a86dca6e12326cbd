import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Address,
  type AppState,
  addressFromSecretKey,
  type ChainClient,
  connectChain,
} from "@nym-ts/chain-client";
import type { Params, VerificationKey } from "@nym-ts/coconut";
import { createLogger, type Logger } from "@nym-ts/common";
import { aggregatedVerificationKey, credentialParams, type IssuerKey, issuerKeys } from "@nym-ts/credentials";
import { type CredentialClientConfig, loadCredentialConfig, readAccountKey } from "./config.js";
import { CredentialStore } from "./store.js";

/** The credential store's file in the client's directory (0600). */
export const CREDENTIALS_FILE = "credentials.sqlite";

/** A progress or result line of a credential command (printed as one JSON line by the CLI). */
export type Report = (event: { type: string } & Record<string, unknown>) => void;

/**
 * Everything a credential command works with, opened from the client's directory: the config, the account key and
 * address, the credential store, and (connected on first use) the chain, its genesis and the Coconut parameters.
 */
export class CredentialContext {
  readonly dir: string;
  readonly config: CredentialClientConfig;
  readonly log: Logger;
  readonly store: CredentialStore;
  readonly #key: Uint8Array;
  readonly address: Address;
  #chain: Promise<ChainClient> | undefined;
  #appState: Promise<AppState> | undefined;

  private constructor(dir: string, config: CredentialClientConfig, log: Logger) {
    this.dir = dir;
    this.config = config;
    this.log = log;
    this.#key = readAccountKey(dir);
    this.address = addressFromSecretKey(this.#key);
    mkdirSync(dir, { recursive: true });
    this.store = new CredentialStore(join(dir, CREDENTIALS_FILE));
  }

  /** Opens the client in `dir`; flags with a dot override config fields (`--chain.rpcUrl URL`). */
  static open(dir: string, options: { flags?: Record<string, string>; log?: Logger } = {}): CredentialContext {
    const config = loadCredentialConfig(dir, options.flags);
    const log =
      options.log ?? createLogger({ name: "nymclient", level: config.log.level, destination: process.stderr as never });
    return new CredentialContext(dir, config, log);
  }

  /** The account's secret key: signs the credential requests and the ERC20 transfer. */
  get secretKey(): Uint8Array {
    return this.#key;
  }

  chain(): Promise<ChainClient> {
    this.#chain ??= connectChain({ rpcUrl: this.config.chain.rpcUrl, log: this.log });
    return this.#chain;
  }

  /** The chain's genesis params (issuers and their keys, thresholds, pipe account), read once. */
  appState(): Promise<AppState> {
    if (!this.#appState) {
      const pending = this.chain().then((c) => c.params());
      this.#appState = pending;
      // A failed read (the chain not up yet) is not cached.
      pending.catch(() => {
        if (this.#appState === pending) this.#appState = undefined;
      });
    }
    return this.#appState;
  }

  params(): Promise<Params> {
    return credentialParams();
  }

  async issuerKeys(): Promise<IssuerKey[]> {
    return issuerKeys(await this.params(), await this.appState());
  }

  async verificationKey(): Promise<VerificationKey> {
    return aggregatedVerificationKey(await this.params(), await this.appState());
  }

  async close(): Promise<void> {
    this.store.close();
    const chain = await this.#chain?.catch(() => undefined);
    chain?.close();
  }
}
