import { performance } from "node:perf_hooks";
import type { Params, VerificationKey } from "@nym-ts/coconut";
import { isNymError, type Logger } from "@nym-ts/common";
import { checkSpend, type SpendAnswer, SpendRequest } from "@nym-ts/credentials";
import type { Depositor } from "./chain.js";
import type { DecisionWatcher } from "./decisions.js";
import type { MetricOutcome, SpendMetrics } from "./metrics.js";
import type { SpendStore, ZetaRecordStatus } from "./store.js";

/** Where a spend came from: only for the metrics' labels and the logs. */
export type SpendTransport = "http" | "mixnet";

/**
 * What handling a spend gave: an answer for the client, a body that is not a spend (HTTP 400), or an SP that cannot
 * decide now (HTTP 503: the chain's key is not loaded, or the chain did not take the deposit; nothing was recorded).
 */
export type SpendResult =
  | { kind: "answer"; answer: SpendAnswer }
  | { kind: "malformed"; code: "SP_ERROR_MALFORMED_SPEND"; message: string; answer: SpendAnswer }
  | {
      kind: "unavailable";
      code: "SP_ERROR_NOT_READY" | "SP_ERROR_CHAIN_UNAVAILABLE";
      message: string;
      answer: SpendAnswer;
    };

/** The verification material, loaded from the chain at start; undefined until then. */
export interface SpendKeys {
  params: Params;
  vk: VerificationKey;
}

export interface SpendHandlerOptions {
  /** This SP's chain address: proofs must be bound to it. */
  address: string;
  keys: () => SpendKeys | undefined;
  store: SpendStore;
  depositor: Pick<Depositor, "deposit">;
  decisions: Pick<DecisionWatcher, "wait">;
  metrics: SpendMetrics;
  log: Logger;
  /** Longest wait for the verifiers' decision after the deposit. */
  decisionTimeoutMs: number;
}

const REFUSED_BECAUSE: Record<ZetaRecordStatus, string> = {
  depositing: "this credential is being spent at this service provider right now",
  deposited: "this credential was already deposited by this service provider",
  spent: "this credential was already spent at this service provider",
  released: "this credential was already deposited here and found invalid by the verifiers",
  in_use: "the chain already holds a deposit of this credential",
  spent_elsewhere: "this credential was already spent at another service provider",
};

/**
 * The SP's spend decision, the same for every transport (HTTP and the mixnet):
 * (a) the body must be a `SpendRequest`; (b) the proof is decoded and verified locally, bound to this SP's address
 * and the disclosed value, so a malformed or invalid proof never reaches the chain; (c) a zeta this SP has deposited
 * or seen spent is refused at once, and a zeta being spent right now (in-process lock) too; otherwise its row is
 * inserted before the deposit; (d) the deposit goes to the chain (nonces serialized by the Depositor); a chain that
 * already holds the zeta means a double spend; (e) the SP waits for the verifiers' decision (events, polls, a
 * timeout); (f) `accepted` is true only when the chain marked the zeta spent and credited this SP.
 */
export class SpendHandler {
  readonly #o: SpendHandlerOptions;
  readonly #log: Logger;
  /** Zetas between claim and answer in this process: a second spend of one is refused without waiting. */
  readonly #locked = new Set<string>();

  constructor(options: SpendHandlerOptions) {
    this.#o = options;
    this.#log = options.log.child({ module: "spend" });
  }

  async handle(body: unknown, transport: SpendTransport): Promise<SpendResult> {
    const started = performance.now();
    const result = await this.#handle(body);
    const outcome: MetricOutcome =
      result.kind === "answer" ? result.answer.outcome : result.kind === "malformed" ? "malformed" : "unavailable";
    this.#o.metrics.spends.inc({ outcome, transport });
    this.#o.metrics.decisionSeconds.observe({ outcome }, (performance.now() - started) / 1000);
    this.#log.debug({ outcome, transport, ms: Math.round(performance.now() - started) }, "spend answered");
    return result;
  }

  async #handle(body: unknown): Promise<SpendResult> {
    // (a) schema
    const parsed = SpendRequest.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join(".") : "body";
      return malformed(`${where}: ${issue?.message ?? "not a spend request"}`);
    }
    const { theta, value } = parsed.data;
    const keys = this.#o.keys();
    if (!keys) {
      return unavailable("SP_ERROR_NOT_READY", "the service provider has not loaded the chain's verification key yet");
    }

    // (b) local verification
    const t0 = performance.now();
    const check = checkSpend(keys.params, keys.vk, theta, value, this.#o.address);
    this.#o.metrics.verifySeconds.observe((performance.now() - t0) / 1000);
    if (!check.ok && check.reason === "malformed") return malformed(`theta: ${check.detail}`);
    if (!check.ok) {
      return answer({
        accepted: false,
        outcome: "rejected",
        reason: "the proof does not verify for this service provider and value",
        ...(check.zeta ? { zeta: check.zeta } : {}),
      });
    }
    const zeta = check.zeta;

    // (c) this SP's own record of zetas, and the in-process lock
    if (this.#locked.has(zeta)) return doubleSpend(zeta, REFUSED_BECAUSE.depositing);
    const known = this.#o.store.get(zeta);
    if (known) return doubleSpend(zeta, REFUSED_BECAUSE[known.status], known.depositTx);
    this.#locked.add(zeta);
    try {
      if (!this.#o.store.claim(zeta, value)) {
        const row = this.#o.store.get(zeta);
        return doubleSpend(zeta, REFUSED_BECAUSE[row?.status ?? "depositing"]);
      }
      return await this.#depositAndWait(zeta, value, theta);
    } finally {
      this.#locked.delete(zeta);
    }
  }

  async #depositAndWait(zeta: string, value: string, theta: string): Promise<SpendResult> {
    const { store, metrics } = this.#o;
    // (d) deposit
    let deposit: Awaited<ReturnType<Depositor["deposit"]>>;
    try {
      deposit = await this.#o.depositor.deposit({ zeta, value, proof: theta });
    } catch (error) {
      store.release(zeta);
      metrics.chainErrors.inc({ where: "deposit" });
      this.#log.warn({ err: error }, "deposit failed; the spend can be tried again");
      if (isNymError(error, "SP_ERROR_CHAIN_UNAVAILABLE")) {
        return unavailable("SP_ERROR_CHAIN_UNAVAILABLE", "the chain cannot be reached; nothing was deposited");
      }
      throw error;
    }
    if (deposit.kind === "zeta_in_use") {
      store.setStatus(zeta, "in_use");
      return doubleSpend(zeta, REFUSED_BECAUSE.in_use);
    }
    if (deposit.kind === "refused") {
      store.release(zeta);
      metrics.chainErrors.inc({ where: "deposit" });
      this.#log.warn({ code: deposit.code }, "the chain refused a deposit");
      if (deposit.code === "CHAIN_ERROR_NONCE") {
        return unavailable(
          "SP_ERROR_CHAIN_UNAVAILABLE",
          "the chain refused the deposit's nonce; nothing was deposited",
        );
      }
      return answer({
        accepted: false,
        outcome: "rejected",
        reason: `the chain refused the deposit (${deposit.code})`,
        zeta,
      });
    }
    store.markDeposited(zeta, deposit.hash);

    // (e) the verifiers' decision
    metrics.inFlight.inc();
    let decision: Awaited<ReturnType<DecisionWatcher["wait"]>>;
    try {
      decision = await this.#o.decisions.wait(zeta, deposit.hash, this.#o.decisionTimeoutMs);
    } finally {
      metrics.inFlight.dec();
    }

    // (f) the answer
    const depositTx = deposit.hash;
    switch (decision.status) {
      case "spent":
        store.setStatus(zeta, "spent");
        return answer({
          accepted: true,
          outcome: "spent",
          reason:
            "the verifiers confirmed the credential; the chain marked it spent and credited this service provider",
          zeta,
          depositTx,
        });
      case "released":
        store.setStatus(zeta, "released");
        return answer({
          accepted: false,
          outcome: "released",
          reason: "the verifiers found the proof invalid; the chain released the deposit",
          zeta,
          depositTx,
        });
      case "lost":
        store.setStatus(zeta, "in_use");
        return doubleSpend(zeta, "another deposit of this credential holds it on chain", depositTx);
      case "timeout": {
        const seconds = Math.round(this.#o.decisionTimeoutMs / 1000);
        return answer({
          accepted: false,
          outcome: "timeout",
          reason: `no decision within ${seconds} s; the deposit stays on chain and may still be credited`,
          zeta,
          depositTx,
        });
      }
    }
  }
}

function answer(a: SpendAnswer): SpendResult {
  return { kind: "answer", answer: a };
}

function doubleSpend(zeta: string, reason: string, depositTx?: string | null): SpendResult {
  return answer({ accepted: false, outcome: "double_spend", reason, zeta, ...(depositTx ? { depositTx } : {}) });
}

function malformed(message: string): SpendResult {
  const reason = `malformed spend: ${message}`.slice(0, 500);
  return {
    kind: "malformed",
    code: "SP_ERROR_MALFORMED_SPEND",
    message: reason,
    answer: { accepted: false, outcome: "rejected", reason },
  };
}

function unavailable(code: "SP_ERROR_NOT_READY" | "SP_ERROR_CHAIN_UNAVAILABLE", message: string): SpendResult {
  // Over the mixnet there is no status code: "timeout" tells the client no decision was taken and it may retry.
  return { kind: "unavailable", code, message, answer: { accepted: false, outcome: "timeout", reason: message } };
}
