/**
 * `pnpm bench`: end-to-end latency of `nymclient demo` (pay, credit, request, collect, spend) against the whole
 * credential network on loopback (startCredentialNetwork: anvil, a 4-validator chain, 3 watchers, 3 issuers t = 2,
 * 3 verifiers, an SP), split by step, and its floor measured in the same run:
 *
 * - pay: half an anvil block on average (a transfer sent at a random moment waits for the next block);
 * - credit: confirmations x anvil block time, then one chain commit (the watchers' notifications);
 * - request: one chain commit (the credential_request tx), plus preparing the request;
 * - collect: one blind signature (the issuers sign in parallel), t partial checks and unblindings, the aggregation;
 * - spend: the proof, the SP's check, one commit (the deposit), one verifier check, one commit (the votes).
 *
 * A chain commit is the median latency of a broadcast_tx_commit of a credential request on the same network, measured
 * between the demo runs; the Coconut operations are timed alone in this process on the same backend. Prints each
 * step's median, its floor and their ratio, and the total against the total floor (target: <= 1.5x).
 *
 * Knobs: BENCH_RUNS (demo runs, default 5), BENCH_BLOCK_TIME (anvil seconds, default 1), BENCH_CONFIRMATIONS
 * (default 1), BENCH_COMMITS (commit samples, default 7).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Address,
  addressFromSecretKey,
  buildCredentialRequest,
  bytesToHex,
  connectChain,
  randomSecretKey,
} from "@nym-ts/chain-client";
import { blindSign, decodeSecretKey, encodeBlindedSignature } from "@nym-ts/coconut";
import { createLogger } from "@nym-ts/common";
import {
  aggregateCredential,
  aggregatedVerificationKey,
  checkSpend,
  credentialParams,
  dealIssuerKeys,
  decodeRequest,
  issuerKeys,
  prepareCredentialRequest,
  proveSpend,
  unblindPartial,
} from "@nym-ts/credentials";
import { startCredentialNetwork } from "@nym-ts/testkit";
import {
  CredentialContext,
  DEMO_STEPS,
  type DemoStep,
  initCredentialClient,
  runDemo,
} from "../src/credentials/index.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BLOCK_TIME = Number(process.env.BENCH_BLOCK_TIME ?? 1);
const CONFIRMATIONS = Number(process.env.BENCH_CONFIRMATIONS ?? 1);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 7);
const NYM = 1_000_000n;

const median = (values: number[]): number => {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
};

/** Median wall time of `f` over `rounds` calls after one warm-up call. */
function timed(f: () => unknown, rounds = 20): number {
  f();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    f();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** The Coconut operations on the demo's critical path, each timed alone (ms). */
async function coconutCosts(): Promise<Record<string, number>> {
  const params = await credentialParams();
  const dealt = dealIssuerKeys(params, 2, 3);
  const appState = {
    issuers: {
      threshold: 2,
      members: dealt.keys.map((k) => ({
        index: k.index,
        address: `0x${"0".repeat(39)}${k.index}` as Address,
        verificationKey: k.verificationKey,
      })),
    },
  } as Parameters<typeof issuerKeys>[1];
  const keys = issuerKeys(params, appState);
  const vk = aggregatedVerificationKey(params, appState);
  const secret = (i: number) => decodeSecretKey(params, dealt.keys[i]?.secretKey as Uint8Array);
  const prepared = prepareCredentialRequest(params, NYM);
  const request = decodeRequest(params, prepared.tx.blindSignRequest);
  const blinded = [0, 1].map(
    (i) => `0x${bytesToHex(encodeBlindedSignature(params, blindSign(params, secret(i), request, [NYM])))}`,
  );
  const partials = [0, 1].map((i) => ({
    index: keys[i]?.index as number,
    signature: unblindPartial(params, prepared, blinded[i] as string, keys[i]?.verificationKey as never),
  }));
  const signature = aggregateCredential(params, partials, vk, prepared.secrets, NYM);
  const sp = "0x00000000000000000000000000000000000000aa";
  const spend = proveSpend(params, vk, signature, prepared.secrets, NYM, sp);
  return {
    prepare: timed(() => prepareCredentialRequest(params, NYM)),
    blindSign: timed(() => blindSign(params, secret(0), request, [NYM])),
    unblindPartial: timed(() =>
      unblindPartial(params, prepared, blinded[0] as string, keys[0]?.verificationKey as never),
    ),
    aggregate: timed(() => aggregateCredential(params, partials, vk, prepared.secrets, NYM)),
    prove: timed(() => proveSpend(params, vk, signature, prepared.secrets, NYM, sp)),
    check: timed(() => checkSpend(params, vk, spend.theta, NYM, sp)),
  };
}

async function main(): Promise<void> {
  const log = createLogger({ name: "bench", level: "silent" });
  const commitKey = randomSecretKey();
  const commitAddress = addressFromSecretKey(commitKey);
  process.stdout.write(
    `starting the network (anvil block ${BLOCK_TIME} s, ${CONFIRMATIONS} confirmation(s), ${RUNS} demo runs)...\n`,
  );
  const net = await startCredentialNetwork({
    anvilBlockTime: BLOCK_TIME,
    watcherConfirmations: CONFIRMATIONS,
    accounts: [{ address: commitAddress, balance: (1_000n * NYM).toString() }],
  });
  try {
    const dir = join(net.dir, "bench-client");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { address } = initCredentialClient(dir, {
      chainRpcUrl: net.chainRpcUrl,
      ethereum: {
        rpcUrl: net.ethereum.rpcUrl,
        chainId: net.ethereum.chainId,
        tokenAddress: net.ethereum.tokenAddress,
        confirmations: CONFIRMATIONS,
      },
      directoryUrl: net.directoryUrl,
    });
    await net.fund(address, { nym: BigInt(RUNS + 1) * NYM, eth: 10n ** 18n });
    const ctx = CredentialContext.open(dir, {
      log,
      flags: { "ethereum.pollIntervalMs": "50", "credentials.pollIntervalMs": "25" },
    });
    const chain = await connectChain({ rpcUrl: net.chainRpcUrl });
    const params = await credentialParams();
    const chainId = await chain.chainId();
    const commitMs: number[] = [];
    /** One chain commit: a credential request's broadcast_tx_commit from the bench's own account. */
    const sampleCommit = async () => {
      const { nonce } = await chain.account(commitAddress);
      const tx = buildCredentialRequest(commitKey, { chainId, nonce }, prepareCredentialRequest(params, 1n).tx);
      const t0 = performance.now();
      const r = await chain.broadcastTxCommit(tx);
      commitMs.push(performance.now() - t0);
      if (r.code !== 0) throw new Error(`commit sample refused: ${r.log}`);
    };

    const steps = new Map<DemoStep, number[]>(DEMO_STEPS.map((s) => [s, []]));
    const totals: number[] = [];
    const provider = net.serviceProviders[0]?.url as string;
    for (let run = 0; run < RUNS; run++) {
      const result = await runDemo(ctx, { amount: NYM, value: NYM, provider });
      if (!result.ok) throw new Error(`demo run ${run} failed at ${result.failedStep}: ${result.steps.at(-1)?.error}`);
      for (const s of result.steps) steps.get(s.step)?.push(s.ms);
      totals.push(result.totalMs);
      process.stdout.write(
        `run ${run + 1}: ${result.steps.map((s) => `${s.step} ${s.ms}`).join(", ")} = ${result.totalMs} ms\n`,
      );
      for (let i = 0; i < Math.ceil(COMMITS / RUNS); i++) await sampleCommit();
    }
    await ctx.close();
    chain.close();

    const coconut = await coconutCosts();
    const commit = median(commitMs);
    const blockMs = BLOCK_TIME * 1000;
    // The bench spends over HTTP: the mixnet's `message` step does not run here.
    const floors: Partial<Record<DemoStep, number>> = {
      pay: blockMs / 2,
      credit: CONFIRMATIONS * blockMs + commit,
      request: commit + (coconut.prepare as number),
      collect: (coconut.blindSign as number) + 2 * (coconut.unblindPartial as number) + (coconut.aggregate as number),
      spend: (coconut.prove as number) + 2 * (coconut.check as number) + 2 * commit,
    };
    const f = (ms: number) => ms.toFixed(ms < 10 ? 2 : 0).padStart(8);
    const lines = [
      "",
      `chain commit (broadcast_tx_commit, median of ${commitMs.length}): ${commit.toFixed(0)} ms; anvil block ${blockMs} ms x ${CONFIRMATIONS} confirmation(s)`,
      `coconut alone (ms): ${Object.entries(coconut)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(", ")}`,
      "",
      `step        median ms  floor ms   ratio   (median of ${RUNS} runs)`,
    ];
    let floorTotal = 0;
    for (const step of DEMO_STEPS) {
      const floor = floors[step];
      if (floor === undefined) continue;
      const m = median(steps.get(step) as number[]);
      floorTotal += floor;
      lines.push(`${step.padEnd(10)} ${f(m)}  ${f(floor)}  ${(m / floor).toFixed(2).padStart(6)}`);
    }
    const total = median(totals);
    const ratio = total / floorTotal;
    lines.push(`${"total".padEnd(10)} ${f(total)}  ${f(floorTotal)}  ${ratio.toFixed(2).padStart(6)}`);
    lines.push("", `demo / floor = ${ratio.toFixed(2)} (target <= 1.5: ${ratio <= 1.5 ? "met" : "missed"})`);
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await net.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
