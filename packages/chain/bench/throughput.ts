/**
 * Throughput and latency of the ledger on a 4-validator loopback network, against CometBFT's built-in kvstore app on
 * the same network shape in the same run (so the ratio shows our app's own cost, whatever the machine's load).
 *
 * Workload: deposit_credential by SPs, then two verification_notification votes per deposit (threshold 2), each vote
 * sent once its deposit is committed (as a verifier reacting to the event would). Every sender's txs go to one node
 * in nonce order with broadcast_tx_async (JSON-RPC batches at capacity). CheckTx answers are not awaited: what
 * failed shows as txs that never commit (drained for 30 s) plus non-zero codes in the block results. kvstore gets txs of the same mean size from the same number of senders.
 *
 * Commit times come from NewBlockHeader events on node 0 (each block's txs fetched with /block).
 *
 * Phase A (capacity): as fast as the network takes them, with at most WINDOW uncommitted txs in flight.
 * Phase B (latency): an open-loop offered load of RATE tx/s, broadcast-to-commit p50/p99.
 *
 *   pnpm bench            (env: BENCH_SECONDS=15 WINDOW=1200 RATE=300 VALIDATORS=4; BENCH_KEEP=1 keeps the node
 *                          directories, BENCH_APP_LOG=info makes the apps log their request counts when stopped,
 *                          BENCH_ONLY=nym runs the ledger's phase A alone, for a quick A/B of a change to the app)
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";
import type { AppStateInput } from "@nym-ts/chain-client";
import {
  addressFromSecretKey,
  buildDepositCredential,
  buildVerificationNotification,
  type ChainClient,
  connectChain,
  THETA_TYPE_TAG,
  THETA_VERSION,
  THETA_ZETA_OFFSET,
} from "@nym-ts/chain-client";
import { startTestnet, type Testnet, type TestnetOptions } from "@nym-ts/testkit";
import { VALIDATOR_NODE_FLAGS, validatorCommand } from "../src/command.js";
import { KECCAK_BACKEND, SIGNATURE_BACKEND } from "../src/keys.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WINDOW = Number(process.env.WINDOW ?? 1200);
const RATE = Number(process.env.RATE ?? 300);
const VALIDATORS = Number(process.env.VALIDATORS ?? 4);
/** BENCH_ONLY=nym: phase A of the ledger alone (quick A/B of a change to the app; prints no ratio). */
const ONLY_NYM = process.env.BENCH_ONLY === "nym";
/** How apps talk to their node, ours and abci-cli's kvstore alike: BENCH_ABCI=tcp|unix (default unix, as the localnet). */
const ABCI_TRANSPORT = process.env.BENCH_ABCI === "tcp" ? "tcp" : "unix";
const SPS = 64;
const VERIFIERS = 32;
/** Deposits carry a random proof framed as a Coconut Θ with k = 2 (579 bytes, as real credentials) revealing its zeta:
 * the ledger checks the framing and the zeta (CHAIN_ERROR_ZETA_MISMATCH otherwise). */
const PROOF_BYTES = 515 + 32 * 2;
function proofFor(zeta: Uint8Array): Uint8Array {
  const proof = randomBytes(PROOF_BYTES);
  proof.set([THETA_VERSION, THETA_TYPE_TAG, 2]);
  proof.set(zeta, THETA_ZETA_OFFSET);
  return proof;
}

const key = (label: string) => new Uint8Array(createHash("sha256").update(`bench ${label}`).digest());
const sps = Array.from({ length: SPS }, (_, i) => key(`sp ${i}`));
const verifiers = Array.from({ length: VERIFIERS }, (_, i) => key(`verifier ${i}`));

function appState(): AppStateInput {
  const addr = (k: Uint8Array) => addressFromSecretKey(k);
  return {
    pipeAccount: addr(key("pipe")),
    watchers: { threshold: 1, members: [addr(key("watcher"))] },
    verifiers: { threshold: 2, members: verifiers.map(addr) },
    issuers: { threshold: 1, members: [{ address: addr(key("issuer")), index: 1, verificationKey: "0x01" }] },
    accounts: [],
  };
}

interface Sent {
  at: number;
  committedAt?: number;
}

interface Workload {
  /** Per sender: its txs in nonce order, each with the tx hash it waits for (a deposit) before it may be sent. */
  senders: { node: number; txs: { tx: Uint8Array; hash: string; after?: string }[] }[];
  total: number;
}

const hashOf = (tx: Uint8Array) => createHash("sha256").update(tx).digest("hex").toUpperCase();

function nymWorkload(chainId: string, credentials: number): Workload {
  const spTxs: Workload["senders"] = sps.map((_, i) => ({ node: i % VALIDATORS, txs: [] }));
  const vTxs: Workload["senders"] = verifiers.map((_, i) => ({ node: (i + 1) % VALIDATORS, txs: [] }));
  const nonces = { sp: new Map<number, number>(), v: new Map<number, number>() };
  const next = (m: Map<number, number>, i: number) => {
    const n = m.get(i) ?? 0;
    m.set(i, n + 1);
    return n;
  };
  for (let c = 0; c < credentials; c++) {
    const s = c % SPS;
    const zeta = randomBytes(96);
    const deposit = buildDepositCredential(
      sps[s] as Uint8Array,
      { chainId, nonce: baseNonce.sp[s]! + next(nonces.sp, s) },
      { zeta, value: 1n, proof: proofFor(zeta) },
    );
    const depositHash = hashOf(deposit);
    spTxs[s]?.txs.push({ tx: deposit, hash: depositHash });
    for (const v of [(2 * c) % VERIFIERS, (2 * c + 1) % VERIFIERS]) {
      const vote = buildVerificationNotification(
        verifiers[v] as Uint8Array,
        { chainId, nonce: baseNonce.v[v]! + next(nonces.v, v) },
        { zeta, valid: true },
      );
      vTxs[v]?.txs.push({ tx: vote, hash: hashOf(vote), after: depositHash });
    }
  }
  return { senders: [...spTxs, ...vTxs], total: credentials * 3 };
}

const baseNonce = { sp: new Array<number>(SPS).fill(0), v: new Array<number>(VERIFIERS).fill(0) };

/**
 * kvstore's txs are padded to our mean size with random hex (BENCH_KV_PAD=repeat: with one repeated letter, as before
 * 2026-11-21). Our txs are mostly hex of keys, signatures, hashes and proofs, which LevelDB's snappy cannot shrink; a
 * repeated letter shrinks ~10x, so kvstore's block store, block results and tx index wrote a fraction of the bytes
 * ours did (node 0 after one run: 0.2 vs 0.75 KB per tx in blockstore.db), and its LevelDB compactions (11-14% of
 * CometBFT's CPU, pprof) cost less for a reason that has nothing to do with the app.
 */
const KV_PAD = process.env.BENCH_KV_PAD === "repeat" ? "repeat" : "random";

function kvWorkload(count: number, size: number): Workload {
  const senders: Workload["senders"] = Array.from({ length: SPS + VERIFIERS }, (_, i) => ({
    node: i % VALIDATORS,
    txs: [],
  }));
  for (let i = 0; i < count; i++) {
    const k = randomBytes(16).toString("hex");
    const pad = Math.max(1, size - k.length - 1);
    const value =
      KV_PAD === "repeat"
        ? "v".repeat(pad)
        : randomBytes(Math.ceil(pad / 2))
            .toString("hex")
            .slice(0, pad);
    const tx = new TextEncoder().encode(`${k}=${value}`);
    senders[i % senders.length]?.txs.push({ tx, hash: hashOf(tx) });
  }
  return { senders, total: count };
}

interface RunResult {
  committed: number;
  /** Txs per JSON-RPC broadcast request (each costs the node an HTTP request and the generator a round trip). */
  txsPerRequest: number;
  failed: number;
  seconds: number;
  tps: number;
  p50: number;
  p99: number;
  cpu: CpuUse;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 0 elsewhere or once it exited). */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15 (clock ticks, 100 Hz).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy, stolen (by the hypervisor, for other guests) and total CPU seconds of the whole machine, from /proc/stat. */
function machineCpu(): { busy: number; steal: number; total: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] as string;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0) / 100;
    const idle = ((v[3] ?? 0) + (v[4] ?? 0)) / 100;
    return { busy: total - idle, steal: (v[7] ?? 0) / 100, total };
  } catch {
    return { busy: 0, steal: 0, total: 0 };
  }
}

interface CpuSample {
  app: number;
  cometbft: number;
  bench: number;
  machine: { busy: number; steal: number; total: number };
}

function sampleCpu(net: Testnet): CpuSample {
  const usage = process.cpuUsage();
  return {
    app: net.nodes.reduce((a, n) => a + cpuSecondsOf(n.pids.app), 0),
    cometbft: net.nodes.reduce((a, n) => a + cpuSecondsOf(n.pids.cometbft), 0),
    bench: (usage.user + usage.system) / 1e6,
    machine: machineCpu(),
  };
}

/** CPU used during a run: by the app processes, the CometBFT processes, this load generator, and everything else. */
interface CpuUse {
  app: number;
  cometbft: number;
  bench: number;
  other: number;
  /** Share of the machine's CPU capacity that was busy. */
  busy: number;
  /** CPU seconds the hypervisor gave to other guests while ours wanted them (a disturbed run). */
  steal: number;
}

function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const app = b.app - a.app;
  const cometbft = b.cometbft - a.cometbft;
  const bench = b.bench - a.bench;
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  const steal = b.machine.steal - a.machine.steal;
  return {
    app,
    cometbft,
    bench,
    other: Math.max(0, busy - steal - app - cometbft - bench),
    busy: total > 0 ? busy / total : 0,
    steal,
  };
}

/** Drives one workload: per-sender sequential broadcast_tx_sync, commit times from NewBlock events on node 0. */
async function drive(
  net: Testnet,
  work: Workload,
  mode: { window?: number; rate?: number },
  seconds: number,
): Promise<RunResult> {
  const clients: ChainClient[] = [];
  for (const url of net.rpcUrls) clients.push(await connectChain({ rpcUrl: url }));
  const ws = Comet38Client.create(new WebsocketClient(net.rpcUrls[0]!.replace(/^http/, "ws")));
  const sent = new Map<string, Sent>();
  const committedHashes = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  let inFlight = 0;
  const slotWaiters: (() => void)[] = [];
  const blocks: number[] = [];
  // Commit times from NewBlockHeader events, the block's txs fetched with /block. Not NewBlock: in v0.38 its event
  // carries every tx result with its events, JSON-encoded by the node for the subscriber, which cost node 0 a quarter
  // of its CPU (pprof) and more per tx for an app whose txs have richer events: the observer weighed on what it measured.
  const http = await Comet38Client.connect(net.rpcUrls[0]!);
  let fetched = Promise.resolve();
  ws.subscribeNewBlockHeader().addListener({
    next: (header) => {
      const now = performance.now();
      fetched = fetched
        .then(async () => {
          const { block } = await http.block(header.height);
          blocks.push(header.height);
          for (const tx of block.txs) {
            const h = hashOf(tx);
            committedHashes.add(h);
            const s = sent.get(h);
            if (s && s.committedAt === undefined) {
              s.committedAt = now;
              inFlight--;
            }
            for (const w of waiters.get(h) ?? []) w();
            waiters.delete(h);
          }
          for (const w of slotWaiters.splice(0)) w();
        })
        .catch((e) => console.error("block fetch failed", e));
    },
    error: (e) => console.error("subscription error", e),
    complete: () => {},
  });
  await new Promise((r) => setTimeout(r, 500));
  const cpuStart = sampleCpu(net);
  const start = performance.now();
  const stopAt = start + seconds * 1000;
  let released = 0;
  const rateToken = async () => {
    if (!mode.rate) return;
    const due = start + (released++ / mode.rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  let rejectedAtCheck = 0;
  let requests = 0;
  const waitFor = async (hash: string) => {
    if (committedHashes.has(hash)) return true;
    await new Promise<void>((r) => {
      const list = waiters.get(hash) ?? [];
      list.push(r);
      waiters.set(hash, list);
      setTimeout(r, 30_000);
    });
    return committedHashes.has(hash);
  };
  await Promise.all(
    work.senders.map(async (sender) => {
      const client = clients[sender.node] as ChainClient;
      let i = 0;
      while (i < sender.txs.length) {
        if (performance.now() > stopAt) return;
        const first = sender.txs[i] as (typeof sender.txs)[number];
        if (first.after && !(await waitFor(first.after))) return;
        while (mode.window && inFlight >= mode.window) {
          if (performance.now() > stopAt) return;
          await new Promise<void>((r) => {
            slotWaiters.push(r);
            setTimeout(r, 500);
          });
        }
        await rateToken();
        if (performance.now() > stopAt) return;
        // At capacity, a sender's ready txs go as one JSON-RPC batch of broadcast_tx_async (order kept, no round trip
        // per tx); at a fixed rate, one tx per token.
        const batch = [first];
        while (!mode.rate && batch.length < 10 && i + batch.length < sender.txs.length) {
          const next = sender.txs[i + batch.length] as (typeof sender.txs)[number];
          if (next.after && !committedHashes.has(next.after)) break;
          if (mode.window && inFlight + batch.length >= mode.window) break;
          batch.push(next);
        }
        const at = performance.now();
        for (const item of batch) sent.set(item.hash, { at });
        inFlight += batch.length;
        requests++;
        const results = await client.broadcastTxsAsync(batch.map((item) => item.tx));
        for (const r of results) {
          if (r.error === undefined) continue;
          rejectedAtCheck++;
          sent.delete(r.hash);
          inFlight--;
          if (rejectedAtCheck <= 3) console.error("broadcast refused", r.error);
        }
        i += batch.length;
      }
    }),
  );
  // Let what was sent commit.
  const drainUntil = performance.now() + 30_000;
  while ([...sent.values()].some((s) => s.committedAt === undefined) && performance.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu = cpuBetween(cpuStart, sampleCpu(net));
  const done = [...sent.values()].filter((s) => s.committedAt !== undefined);
  const lost = sent.size - done.length;
  const last = Math.max(...done.map((s) => s.committedAt as number));
  const latencies = done.map((s) => (s.committedAt as number) - s.at).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  // Deliver-time failures, from the block results of every height the run touched.
  let failed = 0;
  if (blocks.length > 0) {
    for (let h = Math.min(...blocks); h <= Math.max(...blocks); h++) {
      const r = await clients[0]!.blockResultCodes(h);
      failed += r.filter((c) => c !== 0).length;
    }
  }
  ws.disconnect();
  http.disconnect();
  for (const c of clients) c.close();
  const secondsTaken = (last - start) / 1000;
  return {
    committed: done.length,
    txsPerRequest: sent.size / Math.max(1, requests),
    failed: failed + rejectedAtCheck + lost,
    seconds: secondsTaken,
    tps: done.length / secondsTaken,
    p50: pct(50),
    p99: pct(99),
    cpu,
  };
}

function fmt(r: RunResult): string {
  return `${r.tps.toFixed(0).padStart(5)} tx/s  (${r.committed} txs in ${r.seconds.toFixed(1)} s, failed ${r.failed}, ${r.txsPerRequest.toFixed(1)} txs per broadcast request)  p50 ${r.p50.toFixed(0)} ms  p99 ${r.p99.toFixed(0)} ms`;
}

/** CPU per committed tx, summed over the validators' processes (so 4 executions of each tx for 4 validators). */
function fmtCpu(r: RunResult): string {
  const us = (s: number) => `${((s / Math.max(1, r.committed)) * 1e6).toFixed(0)} us`;
  const c = r.cpu;
  return `cpu per tx: apps ${us(c.app)}, cometbft ${us(c.cometbft)}, load generator ${us(c.bench)}; machine ${(c.busy * 100).toFixed(0)}% busy, ${c.other.toFixed(1)} cpu-s by other processes, ${c.steal.toFixed(1)} cpu-s stolen by the hypervisor`;
}

/** Every network of the run, ours and the kvstore baselines, gets exactly these node settings (and startTestnet's
 * localnet defaults: timeout_commit 100ms, timeout_propose 1s, gossip sleeps 10ms). */
const NODE_CONFIG: Record<string, string | number | boolean> = {
  "mempool.size": 20000,
  "mempool.recheck": true,
  "consensus.timeout_commit": "100ms",
  // BENCH_NODE_CONFIG='{"rpc.pprof_laddr":"127.0.0.1:6060"}' adds settings (the same for every app), e.g. to profile.
  ...(process.env.BENCH_NODE_CONFIG ? (JSON.parse(process.env.BENCH_NODE_CONFIG) as Record<string, string>) : {}),
};

async function withNet<T>(
  app: "nym" | "kvstore",
  fn: (net: Testnet) => Promise<T>,
  appCommand?: TestnetOptions["appCommand"],
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `nym-bench-${app}-`));
  const net = await startTestnet({
    validators: VALIDATORS,
    dir,
    app,
    appState: appState(),
    chainId: "nym-bench",
    appLogLevel: process.env.BENCH_APP_LOG ?? "warn",
    config: NODE_CONFIG,
    abciTransport: ABCI_TRANSPORT,
    ...(appCommand ? { appCommand } : {}),
  });
  try {
    await net.waitForHeight(2);
    return await fn(net);
  } finally {
    await net.stop();
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

// Enough txs to stay busy for the whole phase at up to 1,500 tx/s: a workload that runs dry caps the figure.
const capacityCredentials = Math.ceil((SECONDS * 1500) / 3);
console.log(
  `# nym-ts chain benchmark: ${VALIDATORS} validators on loopback, ${SECONDS} s per phase, window ${WINDOW}, open-loop rate ${RATE} tx/s, signatures verified by ${SIGNATURE_BACKEND} libsecp256k1, keccak ${KECCAK_BACKEND}`,
);
console.log(
  `# same for every app: ${Object.entries(NODE_CONFIG)
    .map(([k, v]) => `${k}=${v}`)
    .join(
      " ",
    )}, ABCI over ${ABCI_TRANSPORT === "unix" ? "Unix sockets" : "loopback TCP"} (BENCH_ABCI), ${SPS + VERIFIERS} senders spread over the ${VALIDATORS} nodes, JSON-RPC batches of up to 10 broadcast_tx_async, the same window and duration`,
);
let t = performance.now();
const capacity = nymWorkload("nym-bench", capacityCredentials);
console.log(`signed ${capacity.total} txs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const meanSize = Math.round(
  capacity.senders.flatMap((s) => s.txs).reduce((a, x) => a + x.tx.length, 0) / capacity.total,
);

// BENCH_CPU_PROF=<dir>: run each ledger process under `node --cpu-prof`, profiles written to <dir> when they exit
// (wall-clock samples: on a crowded machine a preempted native call looks longer than it ran).
// BENCH_APP_NODE_FLAGS="--perf-basic-prof ...": the node flags of each ledger process instead of the validator's own
// (VALIDATOR_NODE_FLAGS); BENCH_APP_NODE_FLAGS= (empty) runs them with none, for an A/B of those flags.
const profileDir = process.env.BENCH_CPU_PROF;
const appNodeFlags = [
  ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
  ...(process.env.BENCH_APP_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? VALIDATOR_NODE_FLAGS),
];
console.log(`# ledger processes: node ${appNodeFlags.join(" ") || "(no flags)"}`);
const profiledApp: TestnetOptions["appCommand"] =
  profileDir || process.env.BENCH_APP_NODE_FLAGS !== undefined
    ? (node) => validatorCommand(node, appNodeFlags)
    : undefined;

const ours = await withNet(
  "nym",
  async (net) => {
    const a = await drive(net, capacity, { window: WINDOW }, SECONDS);
    if (ONLY_NYM) return { a, b: a };
    // Phase B continues each sender's nonces after what phase A committed.
    const chain = await connectChain({ rpcUrl: net.rpcUrls[0]! });
    for (let i = 0; i < SPS; i++) baseNonce.sp[i] = (await chain.account(addressFromSecretKey(sps[i]!))).nonce;
    for (let i = 0; i < VERIFIERS; i++)
      baseNonce.v[i] = (await chain.account(addressFromSecretKey(verifiers[i]!))).nonce;
    chain.close();
    t = performance.now();
    const steady = nymWorkload("nym-bench", Math.ceil((SECONDS * RATE * 1.2) / 3));
    console.log(`signed ${steady.total} more txs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const b = await drive(net, steady, { rate: RATE }, SECONDS);
    return { a, b };
  },
  profiledApp,
);
if (ONLY_NYM) {
  console.log(
    `phase A only (BENCH_ONLY=nym), no baseline, no ratio:\n  nym ledger  ${fmt(ours.a)}\n              ${fmtCpu(ours.a)}`,
  );
  process.exit(0);
}
const kv = await withNet("kvstore", async (net) => {
  // kvstore is much faster: give it enough txs to stay busy for the whole phase.
  const a = await drive(net, kvWorkload(SECONDS * 4000, meanSize), { window: WINDOW }, SECONDS);
  const b = await drive(net, kvWorkload(Math.ceil(SECONDS * RATE * 1.2), meanSize), { rate: RATE }, SECONDS);
  return { a, b };
});

// The same kvstore served by CometBFT's abci-cli as a separate process over the ABCI socket, as our app is: the
// built-in kvstore runs inside the node with no socket at all, so this row shows how much of the gap is the socket
// protocol (marshalling and framing on both sides) rather than the ledger's own work.
const abciCli = spawnSync("abci-cli", ["version"], { encoding: "utf8" });
const kvSocket =
  abciCli.status === 0
    ? await withNet(
        "nym",
        (net) => drive(net, kvWorkload(SECONDS * 4000, meanSize), { window: WINDOW }, SECONDS),
        (node) => ({
          command: "abci-cli",
          args: ["kvstore", "--address", node.abciAddress, "--log_level", "error"],
        }),
      )
    : undefined;

console.log(
  `\nmean tx size ${meanSize} bytes (kvstore txs padded to the same size with ${KV_PAD === "random" ? "random hex, incompressible like ours" : "a repeated letter (BENCH_KV_PAD=repeat)"})`,
);
console.log("phase A, capacity (deposit_credential + verification_notification):");
console.log(`  nym ledger  ${fmt(ours.a)}`);
console.log(`              ${fmtCpu(ours.a)}`);
console.log(`  kvstore     ${fmt(kv.a)}`);
console.log(`              ${fmtCpu(kv.a)}`);
console.log(
  `  ratio nym/kvstore = ${(ours.a.tps / kv.a.tps).toFixed(2)}   (target >= 0.5: ${ours.a.tps / kv.a.tps >= 0.5 ? "met" : "NOT met"}; absolute target >= 300 tx/s: ${ours.a.tps >= 300 ? "met" : "NOT met"})`,
);
if (kvSocket) {
  console.log(`  kvstore over the ABCI socket (abci-cli kvstore, one process per validator, like ours)`);
  console.log(`              ${fmt(kvSocket)}`);
  console.log(`              ${fmtCpu(kvSocket)}`);
  console.log(
    `  ratio nym/kvstore-over-socket = ${(ours.a.tps / kvSocket.tps).toFixed(2)}; ` +
      `socket kvstore/built-in kvstore = ${(kvSocket.tps / kv.a.tps).toFixed(2)} (the socket's share of the gap)`,
  );
} else {
  console.log("  kvstore over the ABCI socket: skipped, abci-cli is not on PATH (make bootstrap installs it)");
}
console.log(`phase B, open loop at ${RATE} tx/s offered:`);
console.log(`  nym ledger  ${fmt(ours.b)}`);
console.log(`  kvstore     ${fmt(kv.b)}`);
console.log(
  `  p50 ratio nym/kvstore = ${(ours.b.p50 / kv.b.p50).toFixed(2)}, p99 ratio = ${(ours.b.p99 / kv.b.p99).toFixed(2)}`,
);
// The websocket client of the last phase may still hold a reconnect timer: the report is printed, leave.
process.exit(0);
