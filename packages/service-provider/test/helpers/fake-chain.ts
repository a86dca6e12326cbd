import type {
  AccountView,
  AppState,
  BroadcastResult,
  ChainEvent,
  ChainEventType,
  ZetaView,
} from "@nym-ts/chain-client";
import { TX_CODES, txHash } from "@nym-ts/chain-client";
import type { SpendChain } from "../../src/index.js";

/** A deposit_credential tx body as the fake chain decoded it. */
export interface FakeDeposit {
  nonce: number;
  zeta: string;
  value: string;
  proof: string;
  hash: string;
}

/** How the fake's "verifiers" vote on a deposit: all valid, all invalid, or never. */
export type FakeVerdict = "valid" | "invalid" | "never";

/**
 * A `ChainClient`-shaped chain in memory for the SP's decision logic: it checks deposit nonces (as CheckTx does),
 * refuses a zeta that is being verified or spent with CHAIN_ERROR_ZETA_IN_USE, and after `decisionDelayMs` plays the
 * verifiers: marks the zeta spent (or released) and emits `zeta_spent` (`zeta_released`) to subscribers. Every call
 * is counted, so a test can assert that nothing reached the chain.
 */
export class FakeChain implements SpendChain {
  readonly calls = { chainId: 0, account: 0, params: 0, zeta: 0, broadcastTxSync: 0, subscribe: 0 };
  readonly deposits: FakeDeposit[] = [];
  readonly zetas = new Map<string, ZetaView>();
  verdict: FakeVerdict = "valid";
  decisionDelayMs = 20;
  /** Emit the decision event (else the SP must find the decision by polling). */
  emitEvents = true;
  /** Throw from broadcastTxSync, as an unreachable node does. */
  unreachable = false;
  /** Fail params() this many more times (a chain not up yet). */
  paramsFailures = 0;
  nonce = 0;
  readonly #handlers = new Map<ChainEventType, Set<(event: ChainEvent) => void>>();
  #height = 1;

  constructor(
    readonly appState: AppState,
    readonly spAddress: string,
  ) {}

  get total(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  async chainId(): Promise<string> {
    this.calls.chainId++;
    return "fake-chain";
  }

  async account(address: string): Promise<AccountView> {
    this.calls.account++;
    return { address: address as `0x${string}`, balance: 0n, nonce: address === this.spAddress ? this.nonce : 0 };
  }

  async params(): Promise<AppState> {
    this.calls.params++;
    if (this.paramsFailures > 0) {
      this.paramsFailures--;
      throw new Error("connection refused");
    }
    return this.appState;
  }

  async zeta(zeta: string | Uint8Array): Promise<ZetaView> {
    this.calls.zeta++;
    return this.zetas.get(String(zeta)) ?? { status: "unknown" };
  }

  async subscribe(type: ChainEventType, handler: (event: ChainEvent) => void): Promise<() => void> {
    this.calls.subscribe++;
    const set = this.#handlers.get(type) ?? new Set();
    set.add(handler);
    this.#handlers.set(type, set);
    return () => set.delete(handler);
  }

  async broadcastTxSync(tx: Uint8Array): Promise<BroadcastResult> {
    this.calls.broadcastTxSync++;
    if (this.unreachable) throw new Error("connect ECONNREFUSED");
    const hash = txHash(tx);
    const body = JSON.parse(Buffer.from(tx.subarray(1 + 33 + 64)).toString("utf8")) as FakeDeposit & { type: string };
    if (body.type !== "deposit_credential")
      return { hash, code: TX_CODES.CHAIN_ERROR_SCHEMA, log: "", codespace: "nym" };
    if (body.nonce !== this.nonce) {
      return {
        hash,
        code: TX_CODES.CHAIN_ERROR_NONCE,
        log: `nonce ${body.nonce}, expected ${this.nonce}`,
        codespace: "nym",
      };
    }
    const existing = this.zetas.get(body.zeta);
    if (existing && existing.status !== "released") {
      return { hash, code: TX_CODES.CHAIN_ERROR_ZETA_IN_USE, log: `zeta is ${existing.status}`, codespace: "nym" };
    }
    this.nonce++;
    this.deposits.push({ nonce: body.nonce, zeta: body.zeta, value: body.value, proof: body.proof, hash });
    const view: ZetaView = {
      status: "being_verified",
      sp: this.spAddress as `0x${string}`,
      value: body.value,
      depositTx: hash,
    };
    this.zetas.set(body.zeta, view);
    if (this.verdict !== "never") {
      const verdict = this.verdict;
      setTimeout(() => this.decide(body.zeta, verdict === "valid" ? "spent" : "released"), this.decisionDelayMs);
    }
    return { hash, code: 0, log: "", codespace: "" };
  }

  /** What the verifier threshold does: set the zeta's status and emit the event. */
  decide(zeta: string, status: "spent" | "released", sp = this.spAddress): void {
    const view = this.zetas.get(zeta) ?? {
      status: "being_verified" as const,
      sp: sp as `0x${string}`,
      depositTx: "0".repeat(64),
    };
    this.zetas.set(zeta, { ...view, status });
    if (!this.emitEvents) return;
    const type = status === "spent" ? "zeta_spent" : "zeta_released";
    const event: ChainEvent = { type, attributes: { zeta, sp }, height: ++this.#height, txHash: "F".repeat(64) };
    for (const handler of this.#handlers.get(type) ?? []) handler(event);
  }
}
