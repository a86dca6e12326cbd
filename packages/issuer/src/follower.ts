import { setImmediate as nextTurn } from "node:timers/promises";
import type { AppState, ChainClient, ChainEvent } from "@nym-ts/chain-client";
import type { Params, SecretKey } from "@nym-ts/coconut";
import { isNymError, type Logger } from "@nym-ts/common";
import { RequestId } from "@nym-ts/credentials";
import { IssuerError } from "./errors.js";
import type { IssuerMetrics } from "./metrics.js";
import { crossCheckMismatch, type Decision, decideRequest, parseRequestEvent } from "./request-check.js";
import type { IssuerStore } from "./store.js";

/** What the issuer asks of the chain; a `ChainClient` in production, a fake in unit tests. */
export type IssuerChain = Pick<
  ChainClient,
  "chainId" | "latestHeight" | "params" | "subscribe" | "searchEvents" | "credentialRequest"
>;

/** Who this issuer is: its share index, chain account and verification key share as genesis must name them. */
export interface IssuerIdentity {
  index: number;
  address: string;
  /** 0x-prefixed lower-case hex of `encodeVerificationKey`. */
  verificationKey: string;
}

export interface FollowerOptions {
  chain: IssuerChain;
  store: IssuerStore;
  params: Params;
  secretKey: SecretKey;
  identity: IssuerIdentity;
  metrics: IssuerMetrics;
  log: Logger;
  /** Compare each request with the chain's state (`chain.credentialRequest(id)`) before signing it. */
  crossCheck: boolean;
  /** A quiet checkpoint moves up to this many blocks behind the chain's head (the tx index may lag the head). */
  checkpointLagBlocks: number;
  /** Period of the chain probe that also moves a quiet checkpoint. */
  idleCheckpointMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export interface FollowerStatus {
  subscribed: boolean;
  checkpoint: number;
  chainHeight: number;
  /** Unix ms of the last successful call to the chain (0 before the first). */
  lastChainOkAt: number;
  /** Set when following stopped for good (not in genesis, the store belongs to another chain or key). */
  fatal: string | undefined;
}

/** Errors no retry can fix: the daemon must not sign, and says why. */
const FATAL = new Set(["ISSUER_ERROR_NOT_IN_GENESIS", "ISSUER_ERROR_STORE_MISMATCH"]);
/** How often a cross-check may find the request missing from the chain's state before that counts as a mismatch. */
const MISSING_RETRIES = 3;

/** Checks that genesis names this issuer at its index with its address and key share; throws when it does not. */
export function checkGenesisMembership(appState: AppState, identity: IssuerIdentity): void {
  const member = appState.issuers.members.find((m) => m.index === identity.index);
  if (!member) {
    throw new IssuerError("ISSUER_ERROR_NOT_IN_GENESIS", `the chain has no issuer with index ${identity.index}`, {
      index: identity.index,
    });
  }
  if (member.address.toLowerCase() !== identity.address.toLowerCase()) {
    throw new IssuerError(
      "ISSUER_ERROR_NOT_IN_GENESIS",
      `genesis names ${member.address} as issuer ${identity.index}, not this issuer's chain key (${identity.address})`,
      { index: identity.index },
    );
  }
  if (member.verificationKey.toLowerCase() !== identity.verificationKey) {
    throw new IssuerError(
      "ISSUER_ERROR_NOT_IN_GENESIS",
      `genesis holds another verification key for issuer ${identity.index} than this issuer's Coconut share`,
      { index: identity.index },
    );
  }
}

/**
 * Follows the chain's committed `credential_request` events from the store's checkpoint + 1 and decides each request
 * once, in block order: a partial credential or a rejection with its reason, stored with the checkpoint it allows in
 * one transaction. A request already decided (a replay after a restart or reconnect) is skipped, never signed again.
 * Per-request failures are rejections; failures of the chain or the store are retried with backoff. Nothing here
 * throws out of a timer or an event handler.
 */
export class RequestFollower {
  readonly #o: FollowerOptions;
  readonly #log: Logger;
  #running = false;
  #subscribed = false;
  #unsubscribe: (() => void) | undefined;
  #fatal: string | undefined;
  #queue: ChainEvent[] = [];
  #draining: Promise<void> | undefined;
  #isDraining = false;
  #connecting: Promise<void> | undefined;
  #headFailures = 0;
  #chainHeight = 0;
  #lastChainOkAt = 0;
  #tickTimer: NodeJS.Timeout | undefined;
  readonly #sleepers = new Map<NodeJS.Timeout, () => void>();
  #idleWaiters: (() => void)[] = [];

  constructor(options: FollowerOptions) {
    this.#o = options;
    this.#log = options.log.child({ module: "follower" });
  }

  get status(): FollowerStatus {
    return {
      subscribed: this.#subscribed,
      checkpoint: this.#o.store.checkpoint(),
      chainHeight: this.#chainHeight,
      lastChainOkAt: this.#lastChainOkAt,
      fatal: this.#fatal,
    };
  }

  /**
   * Connects (genesis check, store binding, subscription). Throws when the chain answers that this issuer must not
   * sign (ISSUER_ERROR_NOT_IN_GENESIS, ISSUER_ERROR_STORE_MISMATCH); when the chain cannot be reached it logs, returns
   * and keeps trying in the background.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#o.metrics.checkpoint.set(this.#o.store.checkpoint());
    try {
      await this.#connect();
    } catch (error) {
      if (isNymError(error) && FATAL.has(error.code)) {
        this.#running = false;
        throw error;
      }
      this.#o.metrics.chainErrors.inc({ operation: "connect" });
      this.#log.warn({ err: error }, "cannot reach the chain yet; retrying");
      this.#connecting = this.#connectLoop();
    }
    this.#scheduleTick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#tickTimer);
    for (const [timer, wake] of this.#sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.#sleepers.clear();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#subscribed = false;
    await Promise.allSettled([this.#draining, this.#connecting]);
    this.#resolveIdle();
  }

  /** Resolves once every event delivered so far is decided (for tests and tools that must not sleep blindly). */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && !this.#isDraining) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #connect(): Promise<void> {
    const { chain, store, identity } = this.#o;
    const chainId = await chain.chainId();
    checkGenesisMembership(await chain.params(), identity);
    store.bind({ chainId, issuerIndex: identity.index, verificationKey: identity.verificationKey });
    const fromHeight = store.checkpoint() + 1;
    const unsubscribe = await chain.subscribe("credential_request", (event) => this.#enqueue(event), { fromHeight });
    this.#lastChainOkAt = Date.now();
    if (!this.#running) {
      unsubscribe();
      return;
    }
    this.#unsubscribe = unsubscribe;
    this.#subscribed = true;
    this.#log.info({ chainId, index: identity.index, fromHeight }, "following credential requests");
  }

  async #connectLoop(): Promise<void> {
    for (let attempt = 1; this.#running && !this.#subscribed; attempt++) {
      await this.#sleep(this.#backoff(attempt));
      if (!this.#running) return;
      try {
        await this.#connect();
      } catch (error) {
        if (isNymError(error) && FATAL.has(error.code)) {
          this.#fatal = error.message;
          this.#log.error({ err: error }, "this issuer must not sign on this chain; not following");
          return;
        }
        this.#o.metrics.chainErrors.inc({ operation: "connect" });
        this.#log.warn({ err: error, attempt }, "cannot reach the chain yet; retrying");
      }
    }
  }

  #enqueue(event: ChainEvent): void {
    if (!this.#running) return;
    this.#lastChainOkAt = Date.now();
    this.#queue.push(event);
    if (this.#isDraining) return;
    this.#isDraining = true;
    this.#draining = this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      await this.#drainQueue();
    } catch (error) {
      // #drainQueue handles each request's failures; this is a last guard so no rejection goes unhandled.
      this.#log.error({ err: error }, "request queue stopped; it resumes with the next event");
    } finally {
      // Cleared in the same turn the loop ends, so an event enqueued next always starts a new drain.
      this.#isDraining = false;
      this.#draining = undefined;
      this.#resolveIdle();
    }
  }

  async #drainQueue(): Promise<void> {
    while (this.#running && this.#queue.length > 0) {
      const event = this.#queue[0] as ChainEvent;
      try {
        await this.#process(event);
        this.#queue.shift();
        this.#headFailures = 0;
      } catch (error) {
        this.#headFailures++;
        const delay = this.#backoff(this.#headFailures);
        this.#o.metrics.chainErrors.inc({ operation: "process" });
        this.#log.warn(
          { err: error, requestId: event.attributes.request_id, attempt: this.#headFailures, retryInMs: delay },
          "deciding a credential request failed; retrying",
        );
        await this.#sleep(delay);
      }
      // One request per turn of the event loop, so HTTP keeps answering during a long catch-up.
      await nextTurn();
    }
  }

  /** Decides one event's request, unless it is already decided. Throws only for failures worth retrying. */
  async #process(event: ChainEvent): Promise<void> {
    const { store, metrics } = this.#o;
    const parsed = parseRequestEvent(event);
    const seen = parsed.ok ? parsed.request : parsed.seen;
    if (!seen) {
      metrics.rejected.inc({ reason: "malformed_event" });
      this.#log.warn({ height: event.height, txHash: event.txHash }, "credential request event without a request id");
      this.#setCheckpoint(store.advanceCheckpoint(event.height - 1));
      return;
    }
    if (store.has(seen.requestId)) {
      metrics.duplicates.inc();
      this.#setCheckpoint(store.advanceCheckpoint(seen.height - 1));
      return;
    }

    let decision: Decision | undefined;
    if (!parsed.ok) {
      decision = { status: "rejected", reason: "malformed_event", detail: parsed.detail };
    } else if (this.#o.crossCheck) {
      const view = await this.#o.chain.credentialRequest(seen.requestId);
      this.#lastChainOkAt = Date.now();
      if (!view && this.#headFailures < MISSING_RETRIES) {
        throw new Error("the chain does not know this credential request yet");
      }
      const mismatch = crossCheckMismatch(parsed.request, view);
      if (mismatch) decision = { status: "rejected", reason: "chain_mismatch", detail: mismatch };
    }
    const started = performance.now();
    if (parsed.ok) decision ??= decideRequest(this.#o.params, this.#o.secretKey, parsed.request);
    const d = decision as Decision;

    if (d.status === "signed") {
      if (!store.recordSigned(seen, d.blindedSignature)) return;
      metrics.signDuration.observe((performance.now() - started) / 1000);
      metrics.seen.inc();
      metrics.signed.inc();
      this.#log.debug({ requestId: seen.requestId, height: seen.height }, "credential request signed");
    } else {
      if (!store.recordRejected(seen, d.reason, d.detail)) return;
      metrics.seen.inc();
      metrics.rejected.inc({ reason: d.reason });
      this.#log.warn(
        {
          requestId: seen.requestId,
          height: seen.height,
          requester: seen.requester,
          reason: d.reason,
          detail: d.detail,
        },
        "credential request rejected",
      );
    }
    this.#setCheckpoint(store.checkpoint());
  }

  #setCheckpoint(height: number): void {
    this.#o.metrics.checkpoint.set(height);
  }

  #scheduleTick(): void {
    if (!this.#running) return;
    this.#tickTimer = setTimeout(() => {
      this.#tick().finally(() => this.#scheduleTick());
    }, this.#o.idleCheckpointMs);
    this.#tickTimer.unref?.();
  }

  /**
   * Probes the chain (for /health) and, while no request is pending, moves the checkpoint over quiet heights up to
   * `checkpointLagBlocks` behind the head, once the tx index shows every request from the checkpoint on decided. So a
   * restart after a long quiet spell replays from near the head. Never throws.
   */
  async #tick(): Promise<void> {
    const { chain, store, metrics } = this.#o;
    try {
      const head = await chain.latestHeight();
      this.#chainHeight = head;
      this.#lastChainOkAt = Date.now();
      metrics.chainHeight.set(head);
      if (!this.#subscribed || this.#queue.length > 0 || this.#isDraining) return;
      const target = head - this.#o.checkpointLagBlocks;
      const from = store.checkpoint() + 1;
      if (target < from) return;
      const events = await chain.searchEvents("credential_request", from);
      const undecided = (e: ChainEvent) => {
        const id = e.attributes.request_id;
        return e.height <= target && RequestId.safeParse(id).success && !store.has(id as string);
      };
      if (events.some(undecided) || this.#queue.some((e) => e.height <= target)) return;
      this.#setCheckpoint(store.advanceCheckpoint(target));
    } catch (error) {
      if (!this.#running) return;
      metrics.chainErrors.inc({ operation: "probe" });
      this.#log.warn({ err: error }, "chain probe failed");
    }
  }

  #backoff(attempt: number): number {
    return Math.min(this.#o.retryMaxMs, this.#o.retryInitialMs * 2 ** Math.min(attempt - 1, 20));
  }

  /** A pause that stop() cuts short. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleepers.delete(timer);
        resolve();
      }, ms);
      this.#sleepers.set(timer, resolve);
    });
  }

  #resolveIdle(): void {
    if (this.#queue.length > 0 && this.#running) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
