import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  addressFromSecretKey,
  bytesToHex,
  type ChainClient,
  connectChain,
  randomSecretKey,
} from "@nym-ts/chain-client";
import { createLogger, writeKeyFile } from "@nym-ts/common";
import { startTestnet, type Testnet } from "@nym-ts/testkit";
import { ChainNotifier, createEthereumWatcher, type EthereumWatcher } from "../../src/index.js";
import type { AnvilEnv } from "./anvil-env.js";

const BIN = resolve(fileURLToPath(import.meta.url), "../../../src/bin.ts");

export interface ChainEnv {
  testnet: Testnet;
  /** A client on validator 3, the one no watcher uses. */
  chain: ChainClient;
  keys: Uint8Array[];
  addresses: string[];
  /** An in-process watcher `i` talking to validator `i`, with the real chain notifier. */
  watcher(i: number, confirmations: number): Promise<EthereumWatcher>;
  /** Watcher `i` as the `nym-ethereum-watcher` binary in a child process; resolves once its /health answers 200. */
  spawnWatcher(
    i: number,
    confirmations: number,
  ): Promise<{ child: ChildProcess; healthUrl: string; stop(): Promise<void> }>;
  close(): Promise<void>;
}

/** A real 4-validator CometBFT network whose genesis names three watchers (threshold 2) and the env's pipe account. */
export async function startChainEnv(eth: AnvilEnv): Promise<ChainEnv> {
  const keys = [0, 1, 2].map(() => randomSecretKey());
  const addresses = keys.map((k) => addressFromSecretKey(k));
  const other = addressFromSecretKey(randomSecretKey());
  const testnet = await startTestnet({
    validators: 4,
    dir: join(eth.dir, "testnet"),
    appLogLevel: "warn",
    appState: {
      pipeAccount: eth.pipe.toLowerCase() as `0x${string}`,
      watchers: { threshold: 2, members: addresses as `0x${string}`[] },
      verifiers: { threshold: 1, members: [other] },
      issuers: { threshold: 1, members: [{ address: other, index: 1, verificationKey: `0x${"ab".repeat(288)}` }] },
    },
  });
  await testnet.waitForHeight(2);
  const chain = await connectChain({ rpcUrl: testnet.rpcUrls[3]! });
  const clients: ChainClient[] = [chain];
  const log = createLogger({ name: "test", level: "error" });
  const children = new Set<ChildProcess>();

  function options(i: number, confirmations: number) {
    return {
      ethereum: {
        rpcUrl: eth.anvil.url,
        chainId: eth.anvil.chainId,
        tokenAddress: eth.token,
        pipeAccount: eth.pipe,
        confirmations,
        startBlock: eth.deployBlock,
        pollIntervalMs: 50,
      },
      dataDir: join(eth.dir, `watcher${i}`),
      notify: { retryInitialMs: 100, retryMaxMs: 1_000 },
      http: { host: "127.0.0.1", port: 0 },
    };
  }

  return {
    testnet,
    chain,
    keys,
    addresses,
    async watcher(i, confirmations) {
      const client = await connectChain({ rpcUrl: testnet.rpcUrls[i]! });
      clients.push(client);
      const notifier = new ChainNotifier({ chain: client, secretKey: keys[i]!, pollIntervalMs: 50 });
      await notifier.checkMembership(eth.pipe);
      return createEthereumWatcher(options(i, confirmations), { log: log.child({ watcher: i }), notifier });
    },
    async spawnWatcher(i, confirmations) {
      const keyFile = join(eth.dir, `watcher${i}.key`);
      try {
        writeKeyFile(keyFile, bytesToHex(keys[i]!));
      } catch {
        // written by an earlier spawn of the same watcher
      }
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const configFile = join(eth.dir, `watcher${i}.json`);
      const config = {
        ...options(i, confirmations),
        http: { host: "127.0.0.1", port },
        chain: { rpcUrl: testnet.rpcUrls[i]!, keyFile },
        log: { level: "warn" },
      };
      writeFileSync(configFile, JSON.stringify(config));
      const child = spawn(
        process.execPath,
        ["--conditions=@nym-ts/source", "--import", "tsx", BIN, "--config", configFile],
        {
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
      children.add(child);
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      const healthUrl = `http://127.0.0.1:${port}/health`;
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`watcher binary exited with ${child.exitCode}`);
        try {
          if ((await fetch(healthUrl)).status === 200) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error("watcher binary did not become healthy");
        await new Promise((r) => setTimeout(r, 100));
      }
      return {
        child,
        healthUrl,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
          children.delete(child);
        },
      };
    },
    async close() {
      for (const child of children) child.kill("SIGKILL");
      for (const client of clients) client.close();
      await testnet.stop();
    },
  };
}
