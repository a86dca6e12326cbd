import type { ChainEvent } from "@nym-ts/chain-client";
import type { Logger } from "@nym-ts/common";
import type { SpendChain } from "./chain.js";

/** What the chain decided about a deposit of this SP, or that it did not decide in time. */
export type Decision =
  | { status: "spent" }
  | { status: "released" }
  /** Another deposit of the zeta holds it (another SP's, or one that won a race with ours). */
  | { status: "lost"; sp: string | undefined }
  | { status: "timeout" };

export interface DecisionWatcherOptions {
  chain: SpendChain;
  /** This SP's chain address. */
  address: string;
  log: Logger;
  /** How often each waiting spend reads `chain.zeta` besides following the events (default 1 s). */
  pollIntervalMs?: number;
  /** Told of every decision seen in the events, ours or not (the store records them). */
  onEvent?: (zeta: string, status: "spent" | "released", sp: string) => void;
  /** Counts poll and subscription failures. */
  onError?: (where: "poll" | "subscribe" | "event") => void;
}

interface Waiter {
  depositTx: string;
  settle(decision: Decision): void;
}

/**
 * Waits for the verifiers' decision on this SP's deposits: follows the chain's `zeta_spent` and `zeta_released`
 * events (one subscription each for the whole SP, resubscribing across node restarts) and, as a fallback for a
 * missed event or a subscription that is not up, reads `chain.zeta(zeta)` every `pollIntervalMs` while a spend waits.
 * Every wait is bounded by its own timeout.
 */
export class DecisionWatcher {
  readonly #chain: SpendChain;
  readonly #address: string;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #onEvent: DecisionWatcherOptions["onEvent"];
  readonly #onError: DecisionWatcherOptions["onError"];
  readonly #waiters = new Map<string, Waiter>();
  readonly #unsubscribe: (() => void)[] = [];
  #stopped = false;

  constructor(options: DecisionWatcherOptions) {
    this.#chain = options.chain;
    this.#address = options.address.toLowerCase();
    this.#log = options.log;
    this.#pollMs = options.pollIntervalMs ?? 1_000;
    this.#onEvent = options.onEvent;
    this.#onError = options.onError;
  }

  /** Subscribes to the decision events; a failure is logged and counted, and the waits rely on polling. */
  async start(fromHeight?: number): Promise<void> {
    for (const type of ["zeta_spent", "zeta_released"] as const) {
      try {
        const options = fromHeight !== undefined ? { fromHeight } : {};
        this.#unsubscribe.push(await this.#chain.subscribe(type, (event) => this.#onChainEvent(event), options));
      } catch (error) {
        this.#onError?.("subscribe");
        this.#log.warn({ err: error, type }, "cannot subscribe to decision events; polling only");
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    for (const waiter of [...this.#waiters.values()]) waiter.settle({ status: "timeout" });
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  /** Resolves with the decision on this SP's deposit `depositTx` of `zeta`, or `timeout` after `timeoutMs`. */
  wait(zeta: string, depositTx: string, timeoutMs: number): Promise<Decision> {
    return new Promise<Decision>((resolve) => {
      let pollTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (decision: Decision) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(pollTimer);
        if (this.#waiters.get(zeta) === waiter) this.#waiters.delete(zeta);
        resolve(decision);
      };
      const waiter: Waiter = { depositTx: depositTx.toUpperCase(), settle };
      this.#waiters.set(zeta, waiter);
      const deadline = setTimeout(() => settle({ status: "timeout" }), timeoutMs);
      const poll = async () => {
        if (settled || this.#stopped) return;
        try {
          const decision = this.#fromView(await this.#chain.zeta(zeta), waiter.depositTx);
          if (decision) settle(decision);
        } catch (error) {
          this.#onError?.("poll");
          this.#log.debug({ err: error }, "zeta query failed; polling again");
        }
        if (!settled && !this.#stopped) pollTimer = setTimeout(() => void poll(), this.#pollMs);
      };
      pollTimer = setTimeout(() => void poll(), this.#pollMs);
      if (this.#stopped) settle({ status: "timeout" });
    });
  }

  /** The decision a `/zeta` view shows for our deposit `depositTx`, or undefined while there is none yet. */
  #fromView(view: Awaited<ReturnType<SpendChain["zeta"]>>, depositTx: string): Decision | undefined {
    if (view.status === "unknown" || view.depositTx === undefined) return undefined;
    const ours = view.depositTx.toUpperCase() === depositTx && view.sp?.toLowerCase() === this.#address;
    if (!ours) {
      // A released deposit of someone else leaves the zeta free for ours, which may still land.
      return view.status === "released" ? undefined : { status: "lost", sp: view.sp };
    }
    if (view.status === "spent") return { status: "spent" };
    if (view.status === "released") return { status: "released" };
    return undefined;
  }

  #onChainEvent(event: ChainEvent): void {
    const zeta = event.attributes.zeta?.toLowerCase();
    const sp = event.attributes.sp?.toLowerCase();
    if (!zeta || !sp || !/^0x[0-9a-f]{192}$/.test(zeta)) {
      this.#onError?.("event");
      return;
    }
    const status = event.type === "zeta_spent" ? "spent" : "released";
    try {
      this.#onEvent?.(zeta, status, sp);
    } catch (error) {
      this.#onError?.("event");
      this.#log.error({ err: error }, "recording a decision failed");
    }
    const waiter = this.#waiters.get(zeta);
    if (!waiter) return;
    if (sp === this.#address) waiter.settle({ status });
    else if (status === "spent") waiter.settle({ status: "lost", sp });
  }
}
