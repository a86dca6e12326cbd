/**
 * `pnpm bench`: NYM paid on Ethereum carried into credited Nym balances, end to end.
 *
 * Real anvil (block time 1 s), the NYM token, a real 4-validator CometBFT network running the Nym ledger, and three
 * in-process watchers (threshold 2, 2 confirmations) each posting through its own validator. Two phases:
 * - steady: payers send transfers at a fixed rate; latency is measured from the moment the transfer's block
 *   appears on anvil to the `transfer_credited` event on the chain;
 * - burst: many transfers at once; throughput is the number credited divided by the time from the first
 *   inclusion to the last credit.
 * The latency floor is confirmations x block time + one chain commit (the chain's block interval, measured in the
 * same run), and every latency is also printed as a multiple of it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressFromSecretKey, type ChainClient, connectChain, randomSecretKey } from "@nym-ts/chain-client";
import { createLogger } from "@nym-ts/common";
import { createJsonRpcProvider, deployNymToken, nymToken, parseNym } from "@nym-ts/contracts";
import { startAnvil, startTestnet, type Testnet } from "@nym-ts/testkit";
import { Interface, Wallet } from "ethers";
import { ChainNotifier, createEthereumWatcher, type EthereumWatcher } from "../src/index.js";

const BLOCK_TIME_S = 1;
const CONFIRMATIONS = 2;
const PAYERS = 20;
const STEADY_RATE = Number(process.env.BENCH_RATE ?? 10); // transfers per second
const STEADY_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const BURST = Number(process.env.BENCH_BURST ?? 400);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "eth-watcher-bench-"));
  const anvil = await startAnvil({ blockTime: BLOCK_TIME_S, accounts: PAYERS + 2 });
  const provider = createJsonRpcProvider(anvil.url, anvil.chainId, 50);
  let testnet: Testnet | undefined;
  const clients: ChainClient[] = [];
  const watchers: EthereumWatcher[] = [];
  const log = createLogger({ name: "bench", level: "error" });
  try {
    const deployer = new Wallet(anvil.devKeys[0]!, provider);
    const token = await deployNymToken(deployer, parseNym("1000000000"));
    const pipe = new Wallet(anvil.devKeys[PAYERS + 1]!).address;
    const payers = anvil.devKeys.slice(1, PAYERS + 1).map((k) => new Wallet(k, provider));
    const asDeployer = nymToken(token.address, deployer);
    let deployerNonce = await provider.getTransactionCount(deployer.address, "pending");
    const funding = [];
    for (const payer of payers) {
      funding.push(
        await asDeployer.getFunction("transfer")(payer.address, parseNym("100000"), { nonce: deployerNonce++ }),
      );
    }
    await Promise.all(funding.map((tx) => tx.wait()));

    const keys = [0, 1, 2].map(() => randomSecretKey());
    const other = addressFromSecretKey(randomSecretKey());
    testnet = await startTestnet({
      validators: 4,
      dir: join(dir, "testnet"),
      appLogLevel: "warn",
      appState: {
        pipeAccount: pipe.toLowerCase() as `0x${string}`,
        watchers: { threshold: 2, members: keys.map((k) => addressFromSecretKey(k)) },
        verifiers: { threshold: 1, members: [other] },
        issuers: { threshold: 1, members: [{ address: other, index: 1, verificationKey: `0x${"ab".repeat(288)}` }] },
      },
    });
    await testnet.waitForHeight(2);
    const observer = await connectChain({ rpcUrl: testnet.rpcUrls[3]! });
    clients.push(observer);

    const startBlock = await provider.getBlockNumber();
    for (let i = 0; i < 3; i++) {
      const client = await connectChain({ rpcUrl: testnet.rpcUrls[i]! });
      clients.push(client);
      const notifier = new ChainNotifier({ chain: client, secretKey: keys[i]!, pollIntervalMs: 25 });
      const watcher = createEthereumWatcher(
        {
          ethereum: {
            rpcUrl: anvil.url,
            chainId: anvil.chainId,
            tokenAddress: token.address,
            pipeAccount: pipe,
            confirmations: CONFIRMATIONS,
            startBlock,
            pollIntervalMs: 100,
          },
          dataDir: join(dir, `watcher${i}`),
          notify: { batchSize: 200, retryInitialMs: 100, retryMaxMs: 2_000 },
          http: { port: 0 },
        },
        { log, notifier },
      );
      watchers.push(watcher);
      await watcher.start();
    }

    // When each Ethereum block first appears (inclusion time) and when each transfer is credited on the chain.
    const blockSeenAt = new Map<number, number>();
    let watching = true;
    const blockWatch = (async () => {
      while (watching) {
        const n = Number(await provider.send("eth_blockNumber", []));
        for (let b = n; b >= 0 && !blockSeenAt.has(b); b--) blockSeenAt.set(b, performance.now());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const creditedAt = new Map<string, number>();
    const unsubscribe = await observer.subscribe("transfer_credited", (event) => {
      creditedAt.set(`${event.attributes.eth_tx_hash}/${event.attributes.log_index}`, performance.now());
    });

    const iface = new Interface(nymToken(token.address, provider).interface.fragments);
    const fee = await provider.getFeeData();
    const nonces = await Promise.all(payers.map((p) => provider.getTransactionCount(p.address, "pending")));
    let sendIndex = 0;
    /** What each payer has paid in, to check the chain's balances at the end. */
    const paid = new Map<string, bigint>();
    /** Sends one transfer of a distinct amount, without waiting; resolves with its hash. */
    async function send(from?: number): Promise<string> {
      const i = from ?? sendIndex % PAYERS;
      const n = ++sendIndex;
      const payer = payers[i]!;
      const tx = await payer.sendTransaction({
        to: token.address,
        data: iface.encodeFunctionData("transfer", [pipe, 1_000n + BigInt(n)]),
        nonce: nonces[i]!++,
        gasLimit: 80_000n,
        maxFeePerGas: (fee.maxFeePerGas ?? 2_000_000_000n) * 2n,
        maxPriorityFeePerGas: fee.maxPriorityFeePerGas ?? 1_000_000n,
        chainId: anvil.chainId,
        type: 2,
      });
      const addr = payer.address.toLowerCase();
      paid.set(addr, (paid.get(addr) ?? 0n) + 1_000n + BigInt(n));
      return tx.hash.toLowerCase();
    }

    async function settle(hashes: string[], timeoutMs: number) {
      const receipts = new Map<string, { block: number; logIndex: number }>();
      const deadline = Date.now() + timeoutMs;
      for (const hash of hashes) {
        for (;;) {
          const r = await provider.getTransactionReceipt(hash);
          if (r) {
            if (r.status !== 1) throw new Error(`transfer ${hash} reverted`);
            receipts.set(hash, { block: r.blockNumber, logIndex: r.logs[0]!.index });
            break;
          }
          if (Date.now() > deadline) throw new Error("transfers were not included in time");
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const keys = [...receipts].map(([hash, r]) => `${hash}/${r.logIndex}`);
      while (keys.some((k) => !creditedAt.has(k))) {
        if (Date.now() > deadline) {
          throw new Error(`${keys.filter((k) => !creditedAt.has(k)).length} transfers were not credited in time`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const latencies = [...receipts].map(([hash, r]) => {
        const included = blockSeenAt.get(r.block);
        if (included === undefined) throw new Error(`block ${r.block} was never seen`);
        return (creditedAt.get(`${hash}/${r.logIndex}`)! - included) / 1000;
      });
      const firstIncluded = Math.min(...[...receipts.values()].map((r) => blockSeenAt.get(r.block)!));
      const credits = keys.map((k) => creditedAt.get(k)!);
      const firstCredited = Math.min(...credits);
      const lastCredited = Math.max(...credits);
      const blocks = [...receipts.values()].map((r) => r.block);
      return {
        blocks: Math.max(...blocks) - Math.min(...blocks) + 1,
        latencies: latencies.sort((a, b) => a - b),
        spanS: (lastCredited - firstIncluded) / 1000,
        /** Credits per second while credits were arriving. */
        creditRate: (keys.length - 1) / ((lastCredited - firstCredited) / 1000),
      };
    }

    // Steady phase.
    const chainHeight0 = await observer.latestHeight();
    const chainT0 = performance.now();
    const steady: string[] = [];
    const interval = 1000 / STEADY_RATE;
    const steadyStart = performance.now();
    for (let k = 0; k < STEADY_RATE * STEADY_SECONDS; k++) {
      const due = steadyStart + k * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      steady.push(await send());
    }
    const steadyResult = await settle(steady, 120_000);
    const chainBlockS = (performance.now() - chainT0) / 1000 / ((await observer.latestHeight()) - chainHeight0);

    // Burst phase.
    const burst: string[] = [];
    const burstSendStart = performance.now();
    // One sequential stream per payer (its nonces stay in order), all payers at once.
    const shares = Array.from({ length: PAYERS }, () => [] as string[]);
    await Promise.all(
      shares.map(async (share, p) => {
        for (let k = p; k < BURST; k += PAYERS) share.push(await send(p));
      }),
    );
    burst.push(...shares.flat());
    const burstSendS = (performance.now() - burstSendStart) / 1000;
    const burstResult = await settle(burst, 300_000);

    watching = false;
    unsubscribe();
    await blockWatch;

    // Correctness: every transfer credited exactly once (the pipe sums match the chain balances).
    for (const [addr, amount] of paid) {
      const got = (await observer.account(addr)).balance;
      if (got !== amount) throw new Error(`balance of ${addr} is ${got}, expected ${amount}`);
    }

    const floor = CONFIRMATIONS * BLOCK_TIME_S + chainBlockS;
    const fmt = (s: number) => `${s.toFixed(2)} s (${(s / floor).toFixed(2)}x floor)`;
    const s = steadyResult.latencies;
    const b = burstResult.latencies;
    console.log(
      "nym-ethereum-watcher end to end: anvil block time 1 s, 2 confirmations, 3 watchers (threshold 2), 4 validators",
    );
    console.log(
      `floor = ${CONFIRMATIONS} x ${BLOCK_TIME_S} s + one chain commit (${chainBlockS.toFixed(3)} s, measured) = ${floor.toFixed(2)} s`,
    );
    console.log(`steady ${STEADY_RATE}/s for ${STEADY_SECONDS} s (${steady.length} transfers):`);
    console.log(
      `  latency inclusion -> credit  p50 ${fmt(percentile(s, 50))}  p99 ${fmt(percentile(s, 99))}  max ${fmt(s.at(-1)!)}`,
    );
    console.log(
      `  carried ${steadyResult.creditRate.toFixed(1)} transfers/s into credited balances (offered ${STEADY_RATE}/s; equal when keeping up)`,
    );
    console.log(`burst of ${BURST} transfers:`);
    console.log(
      `  throughput ${(burst.length / burstResult.spanS).toFixed(1)} transfers/s credited (first inclusion -> last credit ${burstResult.spanS.toFixed(1)} s)`,
    );
    console.log(`  latency inclusion -> credit  p50 ${fmt(percentile(b, 50))}  p99 ${fmt(percentile(b, 99))}`);
    console.log(
      `  (sending the burst took ${burstSendS.toFixed(1)} s; it landed in ${burstResult.blocks} Ethereum blocks)`,
    );
    console.log(`all ${sendIndex} transfers credited exactly once (chain balances match the amounts paid)`);
  } finally {
    await Promise.allSettled(watchers.map((w) => w.stop()));
    for (const c of clients) c.close();
    await testnet?.stop();
    provider.destroy();
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
