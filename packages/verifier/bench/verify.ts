/**
 * nym-verifier throughput (`pnpm bench` in packages/verifier).
 *
 * 1. The verifier's own verify path (`checkDeposits`: decode Θ with every point checked, compare ζ, verify with the
 *    SP's binding and the value) on N pending deposits, N = 1, 10, 100: as one batch (what the daemon does) and one
 *    by one; credentials per second of wall time and per CPU second of this process, and the ratio, measured in the
 *    same run. No chain.
 * 2. The verification alone (Θ decoded beforehand): `verifyCredentialBatch` against N calls of `verifyCredential`.
 * 3. One end-to-end line: N = 100 deposits on the real ledger in memory (same process, a block every 10 ms), one
 *    verifier from start to every vote committed and confirmed.
 *
 * Knobs: BENCH_MS (least time per measurement, default 1500), BENCH_N (comma-separated sizes, default 1,10,100).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressFromSecretKey, hexToBytes, randomSecretKey } from "@nym-ts/chain-client";
import { type BatchItem, decodeTheta, verifyCredential, verifyCredentialBatch } from "@nym-ts/coconut";
import { createLogger } from "@nym-ts/common";
import { type Spend, spBinding } from "@nym-ts/credentials";
import { checkDeposits, createVerifier, type DepositProof } from "../src/index.js";
import { credentialKit, issueSpend } from "../test/helpers/credentials.js";
import { LedgerChain } from "../test/helpers/ledger-chain.js";

const MIN_MS = Number(process.env.BENCH_MS ?? 1_500);
const SIZES = (process.env.BENCH_N ?? "1,10,100").split(",").map(Number);
const MAX_N = Math.max(...SIZES);

interface Figure {
  perSecond: number;
  perCpuSecond: number;
  msPerCredential: number;
}

/** Runs `fn` (which handles `n` credentials) until MIN_MS and 3 runs have passed; wall and CPU rates per credential. */
function measure(n: number, fn: () => void): Figure {
  fn(); // warm-up: tables, JIT
  let runs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < MIN_MS || runs < 3) {
    fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const credentials = runs * n;
  return {
    perSecond: credentials / (elapsed / 1000),
    perCpuSecond: credentials / cpuSeconds,
    msPerCredential: elapsed / credentials,
  };
}

const fmt = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const kit = await credentialKit(2, 3);
const sp = addressFromSecretKey(randomSecretKey());
const issueStart = Date.now();
const spends: Spend[] = Array.from({ length: MAX_N }, (_, i) => issueSpend(kit, BigInt(1 + (i % 50)), sp));
console.log(
  `nym-verifier bench: backend ${kit.params.backend.name}, ${MAX_N} real credentials (2-of-3 issuers) issued in ` +
    `${((Date.now() - issueStart) / 1000).toFixed(1)} s; at least ${MIN_MS} ms per figure`,
);
const deposits: DepositProof[] = spends.map((s) => ({ zeta: s.zeta, sp, value: s.value, proof: s.theta }));

console.log("\n1. the verifier's verify path (decode + zeta check + verify), no chain");
console.log(
  "   N | batch cred/s | batch cred/CPU-s | one-by-one cred/s | one-by-one cred/CPU-s | ratio (wall) | ratio (CPU)",
);
for (const n of SIZES) {
  const slice = deposits.slice(0, n);
  const check = (batch: boolean) => () => {
    const report = checkDeposits(kit.params, kit.vk, slice, { batch });
    if (!report.verdicts.every((v) => v.valid)) throw new Error("a good credential was judged invalid");
  };
  const batch = measure(n, check(true));
  const single = measure(n, check(false));
  console.log(
    `${String(n).padStart(4)} | ${fmt(batch.perSecond).padStart(12)} | ${fmt(batch.perCpuSecond).padStart(16)} | ` +
      `${fmt(single.perSecond).padStart(17)} | ${fmt(single.perCpuSecond).padStart(21)} | ` +
      `${fmt(batch.perSecond / single.perSecond, 2).padStart(12)} | ${fmt(batch.perCpuSecond / single.perCpuSecond, 2).padStart(11)}`,
  );
}

console.log("\n2. verification alone (Θ decoded beforehand): verifyCredentialBatch vs verifyCredential per credential");
console.log("   N | batch ms/cred | one-by-one ms/cred | ratio (wall) | ratio (CPU)");
const items: BatchItem[] = spends.map((s) => ({
  theta: decodeTheta(kit.params, hexToBytes(s.theta)),
  publicAttributes: [BigInt(s.value)],
  binding: spBinding(sp),
}));
const decodeOnly = measure(MAX_N, () => {
  for (const s of spends) decodeTheta(kit.params, hexToBytes(s.theta));
});
for (const n of SIZES) {
  const slice = items.slice(0, n);
  const batch = measure(n, () => {
    if (!verifyCredentialBatch(kit.params, kit.vk, slice)) throw new Error("batch failed");
  });
  const single = measure(n, () => {
    for (const it of slice) {
      if (!verifyCredential(kit.params, kit.vk, it.theta, it.publicAttributes, it.binding)) throw new Error("failed");
    }
  });
  console.log(
    `${String(n).padStart(4)} | ${fmt(batch.msPerCredential, 3).padStart(13)} | ${fmt(single.msPerCredential, 3).padStart(18)} | ` +
      `${fmt(batch.perSecond / single.perSecond, 2).padStart(12)} | ${fmt(batch.perCpuSecond / single.perCpuSecond, 2).padStart(11)}`,
  );
}
console.log(`      decoding one Θ (every point checked): ${fmt(decodeOnly.msPerCredential, 3)} ms`);

console.log("\n3. end to end on the real ledger in memory (same process, a block every 10 ms), one verifier");
{
  const key = randomSecretKey();
  const verifierAddress = addressFromSecretKey(key);
  const spKey = randomSecretKey();
  const spAddress = addressFromSecretKey(spKey);
  const n = MAX_N;
  const e2eSpends = Array.from({ length: n }, (_, i) => issueSpend(kit, BigInt(1 + i), spAddress));
  const chain = new LedgerChain(
    {
      pipeAccount: spAddress,
      watchers: { threshold: 1, members: [spAddress] },
      verifiers: { threshold: 1, members: [verifierAddress] },
      issuers: kit.issuers,
      accounts: [],
    },
    { blockMs: 10 },
  );
  for (const s of e2eSpends) chain.deposit(spKey, { zeta: s.zeta, value: s.value, proof: s.theta });
  chain.produceBlock();
  const dir = mkdtempSync(join(tmpdir(), "verifier-bench-"));
  const verifier = createVerifier(
    { dataDir: dir, chain: { pollIntervalMs: 10 }, verify: { maxBatch: 100 }, http: { port: 0 } },
    { log: createLogger({ name: "bench", level: "silent" }), chain, secretKey: key, params: kit.params },
  );
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await verifier.start();
  while (verifier.store.counts().voted < n) await new Promise((r) => setTimeout(r, 2));
  const seconds = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await verifier.stop();
  chain.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `   ${n} deposits judged, voted and confirmed in ${seconds.toFixed(2)} s: ${fmt(n / seconds)} deposits/s, ` +
      `${fmt(n / ((cpu.user + cpu.system) / 1e6))} per CPU-second (the ledger's CheckTx and blocks included)`,
  );
}
