import { join } from "node:path";
import type { ChainEvent, ZetaView } from "@nym-ts/chain-client";
import type { Params, Rng, VerificationKey } from "@nym-ts/coconut";
import {
  type CreatedHttpApp,
  createHttpApp,
  type HttpApp,
  isNymError,
  type Logger,
  type Service,
} from "@nym-ts/common";
import { aggregatedVerificationKey, credentialParams } from "@nym-ts/credentials";
import type { DirectoryClient, Ed25519Signer } from "@nym-ts/directory-client";
import { z } from "zod";
import { checkDeposits, type DepositProof, type Verdict } from "./check.js";
import { ChainSection, HttpSection, VerifySection } from "./config.js";
import { createVerifierMetrics, type VerifierMetrics } from "./metrics.js";
import { type DirectoryRegistration, startDirectoryRegistration } from "./registration.js";
import { votesRoutes } from "./routes/votes.js";
import { type DepositEvent, type DepositRecord, VerifierStore } from "./store.js";
import { ChainVoter, isAddressIn, type VerifierChain, type Vote } from "./voter.js";

/** What `createVerifier` needs, whatever made it (the daemon's config, a test). */
export const VerifierOptionsSchema = z
  .strictObject({
    dataDir: z.string().min(1).describe("Directory of verifier.sqlite"),
    chain: ChainSection.omit({ rpcUrl: true }).prefault({}).describe("Following the chain and voting"),
    verify: VerifySection,
    http: HttpSection,
  })
  .describe("VerifierOptions");
export type VerifierOptions = z.input<typeof VerifierOptionsSchema>;

export interface VerifierModules {
  log: Logger;
  /** The chain client (`connectChain`), or a stand-in with the same methods. */
  chain: VerifierChain;
  /** The verifier's secp256k1 chain key (32 bytes); its address must be in the genesis verifier set. */
  secretKey: Uint8Array;
  /** Coconut parameters for the credential attributes; `credentialParams()` by default. */
  params?: Params;
  /** Service version reported by /health and registered in the directory. */
  version?: string;
  /** Registers the verifier in the directory (VerifierRegistration), renewed, when given. */
  registration?: {
    directory: Pick<DirectoryClient, "register">;
    signer: Ed25519Signer;
    apiUrl?: string | undefined;
  };
  /** Randomness of the batch verification weights (tests); the coconut default otherwise. */
  rng?: Rng;
}

export interface Verifier extends Service {
  /** This verifier's chain address. */
  readonly address: string;
  /** `http://host:port` of the API once started. */
  readonly httpUrl: string | undefined;
  /** The Fastify app once started (tests inject requests into it). */
  readonly app: HttpApp | undefined;
  /** The verifier's database (read it, do not write it). */
  readonly store: VerifierStore;
  /** Resolves after the next pass of the vote loop that found nothing due (tests, tools). */
  drained(): Promise<void>;
}

const SERVICE = "nym-verifier";
const ZETA = /^0x[0-9a-f]{192}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;
const AMOUNT = /^[1-9][0-9]{0,38}$/;
const TX_HASH = /^[0-9A-F]{64}$/;

/**
 * nym-verifier: follows `deposit_credential` events from a checkpoint kept in SQLite (a restart replays from it), reads
 * each deposit's proof, SP and value with the `/zeta` query, judges the pending deposits together (`checkDeposits`:
 * one batch verification, one by one only when it fails) and posts one signed `verification_notification` per
 * deposit, several in flight. A deposit is marked voted once its vote is seen on chain; the chain's voter lists and
 * its duplicate-vote rule make a vote after a crash safe. See docs/verifier.md.
 */
export function createVerifier(options: VerifierOptions, modules: VerifierModules): Verifier {
  const config = VerifierOptionsSchema.parse(options);
  const log = modules.log.child({ module: "verifier" });
  const chain = modules.chain;
  const store = new VerifierStore(join(config.dataDir, "verifier.sqlite"));
  const abort = new AbortController();
  let metrics: VerifierMetrics | undefined;
  const voter = new ChainVoter({
    chain,
    secretKey: modules.secretKey,
    log: modules.log,
    commitTimeoutMs: config.chain.commitTimeoutMs,
    pollIntervalMs: config.chain.pollIntervalMs,
    stallMs: config.chain.stallMs,
    signal: abort.signal,
    onChainCode: (code) => metrics?.voteErrors.inc({ code }),
  });

  let http: CreatedHttpApp | undefined;
  let httpUrl: string | undefined;
  let running = false;
  let params: Params | undefined = modules.params;
  let vk: VerificationKey | undefined;
  let unsubscribe: (() => void) | undefined;
  let connectLoop: Promise<void> | undefined;
  let pumpLoop: Promise<void> | undefined;
  let wakePump: (() => void) | undefined;
  let wakeConnect: (() => void) | undefined;
  let pumpTimer: NodeJS.Timeout | undefined;
  let drainWaiters: (() => void)[] = [];
  let registration: DirectoryRegistration | undefined;
  let buffer: DepositEvent[] = [];
  let bufferTop = 0;
  let flushScheduled = false;
  let firstBatch = true;
  let failingSince: number | undefined;
  let lastError: string | undefined;

  /** A deposit event as delivered by the subscription: parsed, checked, buffered, written in one transaction. */
  function onEvent(event: ChainEvent): void {
    const a = event.attributes;
    const zeta = a.zeta?.toLowerCase();
    const deposit: DepositEvent = {
      zeta: zeta ?? "",
      sp: a.sp ?? "",
      value: a.value ?? "",
      depositTx: (a.deposit_tx ?? event.txHash ?? "").toUpperCase(),
      height: event.height,
    };
    if (!ZETA.test(deposit.zeta) || !ADDRESS.test(deposit.sp) || !AMOUNT.test(deposit.value)) {
      metrics?.malformedEvents.inc();
      log.warn({ height: event.height, txHash: event.txHash }, "malformed deposit event ignored");
    } else if (!TX_HASH.test(deposit.depositTx) || !Number.isSafeInteger(deposit.height)) {
      metrics?.malformedEvents.inc();
      log.warn({ height: event.height, txHash: event.txHash }, "malformed deposit event ignored");
    } else {
      buffer.push(deposit);
    }
    bufferTop = Math.max(bufferTop, event.height);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  function flush(): void {
    flushScheduled = false;
    if (!running || (buffer.length === 0 && bufferTop <= (store.checkpoint() ?? 0))) return;
    const events = buffer;
    try {
      const fresh = store.record(events, bufferTop);
      buffer = [];
      metrics?.depositsSeen.inc(fresh);
      metrics?.checkpoint.set(store.checkpoint() ?? 0);
      if (fresh > 0) {
        log.debug({ fresh, checkpoint: bufferTop }, "deposits recorded");
        wakePump?.();
      }
    } catch (error) {
      // Keep them and try again shortly; the checkpoint has not moved, so a restart would replay them too.
      log.error({ err: error, count: events.length }, "recording deposits failed; retrying");
      flushScheduled = true;
      setTimeout(flush, 500).unref?.();
    }
  }

  /** Reads genesis (membership, issuers' keys), binds the store to the chain, and subscribes from the checkpoint. */
  async function connect(): Promise<void> {
    const chainId = await chain.chainId();
    store.bind({ chainId, address: voter.address });
    const appState = await voter.checkMembership();
    params ??= await credentialParams();
    vk = aggregatedVerificationKey(params, appState);
    const fromHeight = store.checkpoint() ?? config.chain.startHeight;
    unsubscribe = await chain.subscribe("deposit_credential", onEvent, { fromHeight });
    metrics?.checkpoint.set(fromHeight);
    log.info(
      { address: voter.address, fromHeight, threshold: appState.verifiers.threshold, pending: store.counts().pending },
      "following deposits",
    );
    wakePump?.();
  }

  async function runConnectLoop(): Promise<void> {
    // The first attempt was made (and logged) by start().
    for (let attempt = 0; running && !unsubscribe; attempt++) {
      const delay = backoff(attempt);
      await new Promise<void>((resolve) => {
        wakeConnect = resolve;
        setTimeout(resolve, delay).unref?.();
      });
      if (!running) return;
      try {
        await connect();
        return;
      } catch (error) {
        lastError = isNymError(error) ? error.code : "connect";
        log.warn({ err: error, retryInMs: backoff(attempt + 1) }, "cannot follow the chain yet");
      }
    }
  }

  function backoff(attempts: number): number {
    return Math.min(config.verify.retryMaxMs, config.verify.retryInitialMs * 2 ** Math.min(attempts, 20));
  }

  /** Runs batches until nothing is due; returns ms until the next retry is due, or undefined. */
  async function pump(): Promise<number | undefined> {
    while (running) {
      if (!vk || !params) return undefined;
      const now = Date.now();
      const due = store.due(now, config.verify.maxBatch);
      metrics?.pending.set(store.counts().pending);
      if (due.length === 0) {
        const next = store.nextDueAt();
        return next === undefined ? undefined : Math.max(10, next - now);
      }
      await processBatch(due, params, vk);
    }
    return undefined;
  }

  async function processBatch(due: DepositRecord[], p: Params, key: VerificationKey): Promise<void> {
    const views = await mapLimit(due, config.verify.viewConcurrency, async (d) => {
      try {
        return await chain.zeta(d.zeta);
      } catch (error) {
        log.debug({ err: error }, "zeta query failed");
        return undefined;
      }
    });
    const retry: DepositRecord[] = [];
    const judge: { deposit: DepositRecord; proof: DepositProof }[] = [];
    const toVote: { deposit: DepositRecord; verdict: Verdict }[] = [];
    due.forEach((d, i) => {
      const view = views[i];
      const status = classify(d, view);
      switch (status) {
        case "retry":
          retry.push(d);
          return;
        case "superseded":
        case "decided":
          if (store.markSkipped(d.depositTx, status)) metrics?.skipped.inc({ reason: status });
          log.debug({ zeta: d.zeta, reason: status }, "deposit skipped");
          return;
        case "voted": {
          const valid = isAddressIn(voter.address, view?.valid);
          if (store.markVoted(d.depositTx, { valid, reason: valid ? undefined : d.reason, voteTx: undefined })) {
            metrics?.votesRecovered.inc();
          }
          return;
        }
        case "judge":
          if (d.valid !== undefined) {
            toVote.push({
              deposit: d,
              verdict: d.valid ? { valid: true } : { valid: false, reason: d.reason ?? "does_not_verify" },
            });
          } else {
            const v = view as ZetaView;
            judge.push({
              deposit: d,
              proof: { zeta: d.zeta, sp: v.sp ?? "", value: v.value ?? "", proof: v.proof ?? "" },
            });
          }
      }
    });
    if (retry.length > 0) {
      store.markFailed(
        retry.map((d) => d.depositTx),
        Date.now() + backoff(Math.min(...retry.map((d) => d.attempts))),
      );
      metrics?.voteErrors.inc({ code: "CHAIN_ERROR_QUERY" }, retry.length);
    }
    if (judge.length > 0) {
      const stopTimer = metrics?.verifySeconds.startTimer();
      const report = checkDeposits(
        p,
        key,
        judge.map((j) => j.proof),
        modules.rng ? { rng: modules.rng } : {},
      );
      stopTimer?.();
      metrics?.batchSize.observe(judge.length);
      if (report.fellBack) metrics?.batchFallbacks.inc();
      report.verdicts.forEach((verdict, i) => {
        const deposit = (judge[i] as (typeof judge)[number]).deposit;
        store.setVerdict(deposit.depositTx, verdict.valid, verdict.valid ? undefined : verdict.reason);
        metrics?.verified.inc({ verdict: verdict.valid ? "valid" : "invalid" });
        if (!verdict.valid) {
          metrics?.invalid.inc({ reason: verdict.reason });
          log.info({ zeta: deposit.zeta, sp: deposit.sp, reason: verdict.reason }, "deposit judged invalid");
        }
        toVote.push({ deposit, verdict });
      });
    }
    if (toVote.length === 0) return;
    await vote(toVote);
  }

  async function vote(items: { deposit: DepositRecord; verdict: Verdict }[]): Promise<void> {
    const votes: Vote[] = items.map(({ deposit, verdict }) => ({ zeta: deposit.zeta, valid: verdict.valid }));
    const pipelined = !firstBatch && items.every(({ deposit }) => deposit.attempts === 0);
    let outcomes: Awaited<ReturnType<ChainVoter["vote"]>>;
    try {
      outcomes = await voter.vote(votes, { pipelined });
      firstBatch = false;
    } catch (error) {
      if (isNymError(error, "VERIFIER_ERROR_STOPPED")) return;
      const code = isNymError(error) ? error.code : "OTHER";
      metrics?.voteErrors.inc({ code });
      failingSince ??= Date.now();
      lastError = code;
      const attempts = Math.min(...items.map(({ deposit }) => deposit.attempts));
      const delay = backoff(attempts);
      store.markFailed(
        items.map(({ deposit }) => deposit.depositTx),
        Date.now() + delay,
      );
      log.warn({ err: error, count: items.length, retryInMs: delay }, "voting failed");
      return;
    }
    const failed: DepositRecord[] = [];
    outcomes.forEach((outcome, i) => {
      const { deposit, verdict } = items[i] as (typeof items)[number];
      const reason = verdict.valid ? undefined : verdict.reason;
      switch (outcome.kind) {
        case "voted":
          if (store.markVoted(deposit.depositTx, { valid: verdict.valid, reason, voteTx: outcome.voteTx })) {
            if (outcome.voteTx !== undefined) metrics?.votesSent.inc({ valid: String(verdict.valid) });
            else metrics?.votesRecovered.inc();
          }
          log.debug({ zeta: deposit.zeta, valid: verdict.valid }, "vote committed");
          break;
        case "duplicate":
          // The chain holds a vote of this verifier on the zeta already: done (exactly once).
          if (store.markVoted(deposit.depositTx, { valid: verdict.valid, reason, voteTx: undefined })) {
            metrics?.votesRecovered.inc();
          }
          break;
        case "decided":
          if (store.markSkipped(deposit.depositTx, "decided")) metrics?.skipped.inc({ reason: "decided" });
          break;
        case "failed":
          failed.push(deposit);
          lastError = outcome.code;
          // Codes the chain answered were counted when they came; these two come from the confirmation.
          if (outcome.code === "CHAIN_ERROR_NOT_COMMITTED" || outcome.code === "CHAIN_ERROR_QUERY") {
            metrics?.voteErrors.inc({ code: outcome.code });
          }
      }
    });
    if (failed.length > 0) {
      failingSince ??= Date.now();
      const delay = backoff(Math.min(...failed.map((d) => d.attempts)));
      store.markFailed(
        failed.map((d) => d.depositTx),
        Date.now() + delay,
      );
      log.warn({ failed: failed.length, retryInMs: delay, code: lastError }, "votes not done; retrying");
    } else {
      failingSince = undefined;
    }
  }

  /** What to do with a pending deposit given the chain's view of its zeta. */
  function classify(
    d: DepositRecord,
    view: ZetaView | undefined,
  ): "retry" | "superseded" | "decided" | "voted" | "judge" {
    if (!view || view.status === "unknown") return "retry";
    if (typeof view.depositTx === "string" && view.depositTx.toUpperCase() !== d.depositTx) return "superseded";
    if (isAddressIn(voter.address, view.valid) || isAddressIn(voter.address, view.invalid)) return "voted";
    if (view.status !== "being_verified") return "decided";
    return "judge";
  }

  async function runPumpLoop(): Promise<void> {
    while (running) {
      let wait: number | undefined;
      try {
        wait = await pump();
      } catch (error) {
        // Only the store or the library can throw here (chain errors are handled per batch): pause and go on.
        log.error({ err: error }, "vote loop failed");
        wait = config.verify.retryInitialMs;
      }
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const resolve of waiters) resolve();
      if (!running) break;
      await new Promise<void>((resolve) => {
        wakePump = resolve;
        if (wait !== undefined) pumpTimer = setTimeout(resolve, wait);
      });
      clearTimeout(pumpTimer);
    }
  }

  return {
    address: voter.address,
    get httpUrl() {
      return httpUrl;
    },
    get app() {
      return http?.app;
    },
    store,
    drained: () => new Promise<void>((resolve) => drainWaiters.push(resolve)),

    async start() {
      if (running) return;
      http = await createHttpApp({
        log: modules.log,
        service: SERVICE,
        version: modules.version ?? "0.1.0",
        bodyLimit: 1_024,
        // A zeta is 194 characters in the path of GET /v1/votes/{zeta}.
        maxParamLength: 256,
        healthChecks: {
          chain: () => ({
            ok: vk !== undefined && (failingSince === undefined || Date.now() - failingSince < 60_000),
            detail:
              vk === undefined
                ? `not following the chain yet${lastError ? ` (${lastError})` : ""}`
                : `checkpoint ${store.checkpoint() ?? config.chain.startHeight}, ${store.counts().pending} pending`,
          }),
        },
        openapi: {
          title: "Nym Verifier API",
          description:
            "A credential verifier: it checks the Coconut proofs service providers deposit on the Nym chain and " +
            "votes valid or invalid. GET /v1/votes/{zeta} says what it voted. See docs/verifier.md.",
        },
      });
      try {
        metrics = createVerifierMetrics(http.registry);
        await http.app.register(votesRoutes, { store, address: voter.address });
        await http.app.listen({ host: config.http.host, port: config.http.port });
      } catch (error) {
        await http.app.close();
        http = undefined;
        throw error;
      }
      const address = http.app.server.address();
      if (address !== null && typeof address === "object") {
        httpUrl = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
      }
      running = true;
      try {
        await connect();
      } catch (error) {
        if (isNymError(error, "VERIFIER_ERROR_NOT_A_VERIFIER") || isNymError(error, "VERIFIER_ERROR_STORE_MISMATCH")) {
          running = false;
          await http.app.close();
          http = undefined;
          throw error;
        }
        lastError = isNymError(error) ? error.code : "connect";
        log.warn({ err: error }, "cannot follow the chain yet; retrying in the background");
        connectLoop = runConnectLoop();
      }
      pumpLoop = runPumpLoop();
      if (modules.registration) {
        registration = startDirectoryRegistration({
          directory: modules.registration.directory,
          signer: modules.registration.signer,
          payload: {
            identityKey: modules.registration.signer.publicKey,
            ethereumAddress: voter.address,
            ...(modules.registration.apiUrl ? { apiUrl: modules.registration.apiUrl } : {}),
            version: modules.version ?? "0.1.0",
          },
          log: modules.log,
        });
      }
      log.info({ address: voter.address, http: httpUrl }, "verifier started");
    },

    async stop() {
      const wasRunning = running;
      running = false;
      abort.abort();
      registration?.stop();
      unsubscribe?.();
      unsubscribe = undefined;
      clearTimeout(pumpTimer);
      wakePump?.();
      wakeConnect?.();
      if (wasRunning) await Promise.allSettled([pumpLoop, connectLoop]);
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const resolve of waiters) resolve();
      await http?.app.close();
      http = undefined;
      store.close();
    },
  };
}

/** `fn` over `items` with at most `limit` calls in flight; results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}
