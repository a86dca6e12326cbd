/**
 * nym-verifier throughput (`pnpm bench` in packages/verifier).
 *
 * 1-2. The verifier's own verify path (`checkDeposits`: decode Θ with every point checked, compare ζ, verify with the
 *    SP's binding and the value) on N pending deposits, N = 1, 10, 100, as one batch (what the daemon does) and one
 *    by one, and its pieces: decoding the N proofs as the verifier does (hex, then `decodeThetas`: one backend call
 *    for all their points), and the verification alone on proofs decoded beforehand (`verifyCredentialBatch` against
 *    N calls of `verifyCredential`). Per N, the five measurements are interleaved (one run of each in turn until each
 *    has had BENCH_MS), so a change of the machine's load between measurements does not tilt the ratios; the figures
 *    are CPU time of this process per credential (wall time printed for the ratios only: the machine is shared).
 * 3. One end-to-end line: N = 100 deposits on the real ledger in memory (same process, a block every 10 ms), one
 *    verifier from start to every vote committed and confirmed.
 *
 * Knobs: BENCH_MS (least time per measurement, default 1500), BENCH_N (comma-separated sizes, default 1,10,100).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressFromSecretKey, hexToBytes, randomSecretKey } from "@nym-ts/chain-client";
import { type BatchItem, decodeThetas, type Theta, verifyCredential, verifyCredentialBatch } from "@nym-ts/coconut";
import { createLogger } from "@nym-ts/common";
import { type Spend, spBinding } from "@nym-ts/credentials";
import { checkDeposits, createVerifier, type DepositProof } from "../src/index.js";
import { credentialKit, issueSpend } from "../test/helpers/credentials.js";
import { LedgerChain } from "../test/helpers/ledger-chain.js";

const MIN_MS = Number(process.env.BENCH_MS ?? 1_500);
const SIZES = (process.env.BENCH_N ?? "1,10,100").split(",").map(Number);
const MAX_N = Math.max(...SIZES);

interface Figure {
  /** CPU milliseconds of this process per credential. */
  cpuMs: number;
  /** Wall milliseconds per credential. */
  wallMs: number;
}

/**
 * Runs each task (which handles `n` credentials) once in turn, round after round, until every task has run for
 * MIN_MS of wall time and at least 3 times; CPU and wall time per credential of each. One warm-up run each first.
 */
function interleaved<K extends string>(n: number, tasks: Record<K, () => void>): Record<K, Figure> {
  const keys = Object.keys(tasks) as K[];
  const spent = new Map(keys.map((k) => [k, { cpuUs: 0, wallNs: 0n, runs: 0 }]));
  for (const k of keys) tasks[k]();
  const done = () => [...spent.values()].every((s) => s.runs >= 3 && Number(s.wallNs) / 1e6 >= MIN_MS);
  while (!done()) {
    for (const k of keys) {
      const s = spent.get(k) as { cpuUs: number; wallNs: bigint; runs: number };
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      tasks[k]();
      s.wallNs += process.hrtime.bigint() - t0;
      const cpu = process.cpuUsage(cpu0);
      s.cpuUs += cpu.user + cpu.system;
      s.runs++;
    }
  }
  const out = {} as Record<K, Figure>;
  for (const k of keys) {
    const s = spent.get(k) as { cpuUs: number; wallNs: bigint; runs: number };
    out[k] = { cpuMs: s.cpuUs / 1000 / (s.runs * n), wallMs: Number(s.wallNs) / 1e6 / (s.runs * n) };
  }
  return out;
}

const fmt = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const kit = await credentialKit(2, 3);
const sp = addressFromSecretKey(randomSecretKey());
const issueStart = Date.now();
const spends: Spend[] = Array.from({ length: MAX_N }, (_, i) => issueSpend(kit, BigInt(1 + (i % 50)), sp));
console.log(
  `nym-verifier bench: backend ${kit.params.backend.name}, ${MAX_N} real credentials (2-of-3 issuers) issued in ` +
    `${((Date.now() - issueStart) / 1000).toFixed(1)} s; at least ${MIN_MS} ms per figure, interleaved`,
);
const deposits: DepositProof[] = spends.map((s) => ({ zeta: s.zeta, sp, value: s.value, proof: s.theta }));
const items: BatchItem[] = spends.map((s) => {
  const [theta] = decodeThetas(kit.params, [hexToBytes(s.theta)]);
  if (!theta || theta instanceof Error) throw new Error("a good proof did not decode");
  return { theta, publicAttributes: [BigInt(s.value)], binding: spBinding(sp) };
});

const rows: { n: number; f: Record<"batch" | "single" | "decode" | "verifyBatch" | "verifySingle", Figure> }[] = [];
for (const n of SIZES) {
  const slice = deposits.slice(0, n);
  const itemSlice = items.slice(0, n);
  const check = (batch: boolean) => () => {
    const report = checkDeposits(kit.params, kit.vk, slice, { batch });
    if (!report.verdicts.every((v) => v.valid)) throw new Error("a good credential was judged invalid");
  };
  const f = interleaved(n, {
    batch: check(true),
    single: check(false),
    decode: () => {
      const thetas = decodeThetas(
        kit.params,
        slice.map((d) => hexToBytes(d.proof)),
      );
      if (thetas.some((t: Theta | Error) => t instanceof Error)) throw new Error("a good proof did not decode");
    },
    verifyBatch: () => {
      if (!verifyCredentialBatch(kit.params, kit.vk, itemSlice)) throw new Error("batch failed");
    },
    verifySingle: () => {
      for (const it of itemSlice) {
        if (!verifyCredential(kit.params, kit.vk, it.theta, it.publicAttributes, it.binding)) throw new Error("failed");
      }
    },
  });
  rows.push({ n, f });
}

console.log("\n1. the verifier's verify path and its pieces, CPU ms per credential (no chain)");
console.log("   N | decode (hex + Θ) | verify, batch | verify, one by one | full path, batch | full path, one by one");
for (const { n, f } of rows) {
  console.log(
    `${String(n).padStart(4)} | ${fmt(f.decode.cpuMs, 3).padStart(16)} | ${fmt(f.verifyBatch.cpuMs, 3).padStart(13)} | ` +
      `${fmt(f.verifySingle.cpuMs, 3).padStart(18)} | ${fmt(f.batch.cpuMs, 3).padStart(16)} | ` +
      `${fmt(f.single.cpuMs, 3).padStart(21)}`,
  );
}

console.log("\n2. batch vs one by one: full path credentials per CPU-second, ratios (same run, interleaved)");
console.log(
  "   N | batch cred/CPU-s | one-by-one cred/CPU-s | full path ratio (CPU) | (wall) | verification alone ratio (CPU) | (wall)",
);
for (const { n, f } of rows) {
  console.log(
    `${String(n).padStart(4)} | ${fmt(1000 / f.batch.cpuMs).padStart(16)} | ${fmt(1000 / f.single.cpuMs).padStart(21)} | ` +
      `${fmt(f.single.cpuMs / f.batch.cpuMs, 2).padStart(21)} | ${fmt(f.single.wallMs / f.batch.wallMs, 2).padStart(6)} | ` +
      `${fmt(f.verifySingle.cpuMs / f.verifyBatch.cpuMs, 2).padStart(30)} | ` +
      `${fmt(f.verifySingle.wallMs / f.verifyBatch.wallMs, 2).padStart(6)}`,
  );
}

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
