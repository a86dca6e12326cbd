/**
 * CPU time of one ledger process per tx, without CometBFT or the network: what the app's share of the 4-validator
 * benchmark is made of, measured in CPU time (process.cpuUsage), so it holds on a busy machine where tx/s does not.
 *
 * One app (SQLite store in a temp dir, the ABCI handler of the daemon) is driven the way CometBFT drives it, with
 * encoded ABCI requests: every tx arrives once in CheckTx (NEW); blocks of BLOCK txs are taken from the head of the
 * mempool (PrepareProposal on one block in VALIDATORS, ProcessProposal on the others, as on a validator that
 * proposes its turn), then FinalizeBlock, Commit, and a RECHECK of every tx left in the mempool, which is kept at
 * BACKLOG txs (the default gives about one recheck per tx, what the validators of `pnpm bench` counted). The workload is the one of `pnpm bench`: deposit_credential by SPs, two verification_notification
 * votes per deposit once it is committed. The decoding of requests and encoding of responses is counted (the
 * socket server does it); the socket itself is not.
 *
 *   pnpm bench:app        (env: CREDENTIALS=3000 BLOCK=250 BACKLOG=500 VALIDATORS=4 ROUNDS=3,
 *                          PROFILE=<file.cpuprofile> to profile the last round's driving part, not the signing)
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addressFromSecretKey,
  buildDepositCredential,
  buildVerificationNotification,
  THETA_TYPE_TAG,
  THETA_VERSION,
  THETA_ZETA_OFFSET,
} from "@nym-ts/chain-client";
import { createLogger } from "@nym-ts/common";
import type { DeepPartial } from "cosmjs-types/helpers";
import { CheckTxType, Request, Response } from "cosmjs-types/tendermint/abci/types";
import { createLedgerHandler } from "../src/abci-app.js";
import {
  type CheckTxAnswer,
  decodeCheckTxRequest,
  EncodedResponse,
  encodeCheckTxResponse,
  encodeFrame,
  FrameReader,
} from "../src/abci-server.js";
import { SIGNATURE_BACKEND } from "../src/keys.js";
import { Ledger } from "../src/ledger.js";
import { SqliteStore } from "../src/store.js";

const CREDENTIALS = Number(process.env.CREDENTIALS ?? 3000);
const BLOCK = Number(process.env.BLOCK ?? 250);
const BACKLOG = Number(process.env.BACKLOG ?? 500);
const VALIDATORS = Number(process.env.VALIDATORS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
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
const CHAIN = "nym-bench";

const key = (label: string) => new Uint8Array(createHash("sha256").update(`bench ${label}`).digest());
const sps = Array.from({ length: SPS }, (_, i) => key(`sp ${i}`));
const verifiers = Array.from({ length: VERIFIERS }, (_, i) => key(`verifier ${i}`));
const hashOf = (tx: Uint8Array) => createHash("sha256").update(tx).digest("hex");

interface Item {
  tx: Uint8Array;
  hash: string;
  /** The deposit this vote waits for. */
  after?: string;
}

/** Per sender, its txs in nonce order (as the load generator sends them). */
function workload(): Item[][] {
  const spTxs: Item[][] = sps.map(() => []);
  const vTxs: Item[][] = verifiers.map(() => []);
  for (let c = 0; c < CREDENTIALS; c++) {
    const s = c % SPS;
    const zeta = randomBytes(96);
    const deposit = buildDepositCredential(
      sps[s] as Uint8Array,
      { chainId: CHAIN, nonce: spTxs[s]?.length ?? 0 },
      { zeta, value: 1n, proof: proofFor(zeta) },
    );
    const depositHash = hashOf(deposit);
    spTxs[s]?.push({ tx: deposit, hash: depositHash });
    for (const v of [(2 * c) % VERIFIERS, (2 * c + 1) % VERIFIERS]) {
      const vote = buildVerificationNotification(
        verifiers[v] as Uint8Array,
        { chainId: CHAIN, nonce: vTxs[v]?.length ?? 0 },
        { zeta, valid: true },
      );
      vTxs[v]?.push({ tx: vote, hash: hashOf(vote), after: depositHash });
    }
  }
  return [...spTxs, ...vTxs];
}

const addr = (k: Uint8Array) => addressFromSecretKey(k);
const appState = {
  pipeAccount: addr(key("pipe")),
  watchers: { threshold: 1, members: [addr(key("watcher"))] },
  verifiers: { threshold: 2, members: verifiers.map(addr) },
  issuers: { threshold: 1, members: [{ address: addr(key("issuer")), index: 1, verificationKey: "0x01" }] },
  accounts: [],
};

const t0 = performance.now();
const senders = workload();
const total = senders.reduce((a, s) => a + s.length, 0);
console.log(
  `# ledger CPU per tx, one app process driven in-process: ${total} txs, blocks of ${BLOCK}, mempool backlog ${BACKLOG}, ${SIGNATURE_BACKEND} libsecp256k1 (signed in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);

type Phase = "checkTx" | "recheck" | "proposal" | "finalizeBlock" | "commit";
const PHASES: Phase[] = ["checkTx", "recheck", "proposal", "finalizeBlock", "commit"];

interface Round {
  cpu: Record<Phase, number>;
  calls: Record<Phase, number>;
  total: number;
  done: number;
  height: number;
  rejected: number;
  rechecks: number;
  wallSeconds: number;
}

const enc = (r: DeepPartial<Request>): Uint8Array => Request.encode(Request.fromPartial(r)).finish();

/** One pass of the whole workload through a fresh ledger. */
async function drive(profile?: string): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), "nym-bench-app-"));
  const store = new SqliteStore(join(dir, "ledger.sqlite"));
  const ledger = new Ledger(store);
  const { handler, checkTx } = createLedgerHandler(ledger, createLogger({ name: "bench", level: "silent" }));
  const cpu: Record<Phase, number> = { checkTx: 0, recheck: 0, proposal: 0, finalizeBlock: 0, commit: 0 };
  const calls: Record<Phase, number> = { checkTx: 0, recheck: 0, proposal: 0, finalizeBlock: 0, commit: 0 };

  /** Answers one encoded request as the socket server does: decode, handle, encode, frame (CheckTx by the fast
   * path, whose answer is returned as is). */
  const answer = (request: Uint8Array): Response | EncodedResponse | CheckTxAnswer => {
    const fast = decodeCheckTxRequest(request);
    if (fast) {
      const result = checkTx(fast.tx, fast.type);
      encodeCheckTxResponse(result);
      return result;
    }
    const response = handler(Request.decode(request));
    if (response instanceof EncodedResponse) return response;
    encodeFrame(Response.encode(response).finish());
    return response;
  };
  /** Answers a batch of encoded requests and charges their CPU to `phase` (one getrusage per batch, not per call). */
  const run = (phase: Phase, requests: Uint8Array[]): (Response | EncodedResponse | CheckTxAnswer)[] => {
    const start = process.cpuUsage();
    const responses = requests.map(answer);
    const used = process.cpuUsage(start);
    cpu[phase] += used.user + used.system;
    calls[phase] += requests.length;
    return responses;
  };
  /** One request's answer as a Response (a pre-encoded answer is decoded outside the measured CPU). */
  const call = (phase: Phase, request: Uint8Array): Response => {
    const r = run(phase, [request])[0];
    return r instanceof EncodedResponse
      ? Response.decode(new FrameReader().push(Buffer.from(r.frame))[0] as Buffer)
      : (r as Response);
  };
  // CheckTx answers come from the fast path; only FinalizeBlock is pre-encoded, and it never goes through here.
  const checkCode = (r: Response | EncodedResponse | CheckTxAnswer): number | undefined =>
    r instanceof EncodedResponse ? undefined : "code" in r ? r.code : r.checkTx?.code;

  answer(enc({ initChain: { chainId: CHAIN, appStateBytes: new TextEncoder().encode(JSON.stringify(appState)) } }));
  const committed = new Set<string>();
  const cursor = senders.map(() => 0);
  let mempool: Item[] = [];
  let height = 0;
  let done = 0;
  let rejected = 0;
  let rechecks = 0;
  const profiler = profile ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.setSamplingInterval", { interval: 50 });
    await profiler.post("Profiler.start");
  }
  const wall = performance.now();
  while (done < total) {
    // Top the mempool up with every sender's next ready txs, round robin, as gossip delivers them.
    for (;;) {
      const batch: Item[] = [];
      for (let s = 0; s < senders.length && mempool.length + batch.length < BACKLOG; s++) {
        const item = senders[s]?.[cursor[s] as number];
        if (!item || (item.after && !committed.has(item.after))) continue;
        cursor[s]!++;
        batch.push(item);
      }
      if (batch.length === 0) break;
      const requests = batch.map((item) => enc({ checkTx: { tx: item.tx, type: CheckTxType.NEW } }));
      for (const [i, r] of run("checkTx", requests).entries()) {
        if (checkCode(r) === 0) mempool.push(batch[i] as Item);
        else rejected++;
      }
    }
    if (mempool.length === 0) throw new Error("workload stalled");
    height++;
    const txs = mempool.slice(0, BLOCK).map((i) => i.tx);
    if (height % VALIDATORS === 1) {
      call("proposal", enc({ prepareProposal: { txs, maxTxBytes: 22_020_096n, height: BigInt(height) } }));
    }
    call("proposal", enc({ processProposal: { txs, height: BigInt(height) } }));
    const fb = call("finalizeBlock", enc({ finalizeBlock: { txs, height: BigInt(height) } }));
    for (const [i, r] of (fb.finalizeBlock?.txResults ?? []).entries()) {
      if (r.code !== 0) rejected++;
      committed.add(mempool[i]?.hash as string);
    }
    done += txs.length;
    call("commit", enc({ commit: {} }));
    const left: Item[] = [];
    const rest = mempool.slice(txs.length);
    rechecks += rest.length;
    const requests = rest.map((item) => enc({ checkTx: { tx: item.tx, type: CheckTxType.RECHECK } }));
    for (const [i, r] of run("recheck", requests).entries()) {
      if (checkCode(r) === 0) left.push(rest[i] as Item);
      else rejected++;
    }
    mempool = left;
  }
  const wallSeconds = (performance.now() - wall) / 1000;
  if (profiler && profile) {
    const { profile: data } = await profiler.post("Profiler.stop");
    writeFileSync(profile, JSON.stringify(data));
    profiler.disconnect();
  }
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    cpu,
    calls,
    total: PHASES.reduce((a, p) => a + cpu[p], 0),
    done,
    height,
    rejected,
    rechecks,
    wallSeconds,
  };
}

// Noise from other processes only ever adds CPU time (cache misses, frequency), so the best round is the figure.
const rounds: Round[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const round = await drive(r === ROUNDS - 1 ? process.env.PROFILE : undefined);
  rounds.push(round);
  console.log(`round ${r + 1}: ${(round.total / round.done).toFixed(1)} us per tx`);
}
const best = rounds.reduce((a, b) => (b.total < a.total ? b : a));
console.log(
  `${best.done} txs in ${best.height} blocks, ${best.rejected} rejected, ${(best.rechecks / best.done).toFixed(1)} rechecks per tx, ${best.wallSeconds.toFixed(1)} s wall`,
);
console.log(
  `CPU per committed tx, best of ${ROUNDS}: ${(best.total / best.done).toFixed(1)} us (one app; 4 apps share 2 cores with 4 CometBFT nodes)`,
);
for (const phase of PHASES) {
  console.log(
    `  ${phase.padEnd(14)} ${(best.cpu[phase] / best.done).toFixed(1).padStart(7)} us per tx   ${(best.cpu[phase] / Math.max(1, best.calls[phase])).toFixed(1).padStart(8)} us per call (${best.calls[phase]} calls)   ${((best.cpu[phase] / best.total) * 100).toFixed(0)}%`,
  );
}
