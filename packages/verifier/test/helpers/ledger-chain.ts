import { Ledger, MemoryStore } from "@nym-ts/chain";
import {
  type AccountView,
  type AppState,
  type AppStateInput,
  type BroadcastResult,
  buildDepositCredential,
  type ChainEvent,
  type ChainEventType,
  QUERY_CODES,
  txHash,
  type ZetaView,
} from "@nym-ts/chain-client";
import type { VerifierChain } from "../../src/index.js";

/**
 * The real Nym ledger (state machine, CheckTx, FinalizeBlock, queries) in memory behind the chain-client methods the
 * verifier uses, for unit tests: txs that pass CheckTx wait in a mempool until `produceBlock()` (or every
 * `blockMs`), and block events go to subscribers and to a history replayed from `fromHeight`. Faults can be injected.
 */
export class LedgerChain implements VerifierChain {
  readonly ledger = new Ledger(new MemoryStore());
  readonly chainIdValue = "nym-unit";
  readonly mempool: Uint8Array[] = [];
  readonly history: ChainEvent[] = [];
  /** Every tx that passed CheckTx, by sender address, in order (to count what a verifier sent). */
  readonly accepted: { hash: string; tx: Uint8Array }[] = [];
  readonly #subscribers = new Set<{ type: ChainEventType; handler: (e: ChainEvent) => void }>();
  readonly #nonces = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  /** Zeta views hide the votes of these addresses (a node lagging behind the block that holds them). */
  hideVotesOf = new Set<string>();
  /** When set, `zeta()` fails (a node that cannot answer). */
  failZetaQueries = false;
  /** Proofs the zeta views show instead of the deposited ones (what a ledger without the Θ framing check stores). */
  readonly proofOverride = new Map<string, string>();

  constructor(appState: AppStateInput, options: { blockMs?: number } = {}) {
    this.ledger.initChain(this.chainIdValue, new TextEncoder().encode(JSON.stringify(appState)));
    this.produceBlock(); // genesis writes committed with an empty first block
    if (options.blockMs !== undefined) {
      this.#timer = setInterval(() => {
        if (this.mempool.length > 0) this.produceBlock();
      }, options.blockMs);
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }

  get height(): number {
    return this.ledger.info().height;
  }

  /** Executes the mempool as the next block and delivers its events. */
  produceBlock(): ReturnType<Ledger["finalizeBlock"]> {
    const txs = this.mempool.splice(0);
    const height = this.height + 1;
    const result = this.ledger.finalizeBlock(height, txs);
    this.ledger.commit();
    result.txResults.forEach((r) => {
      for (const e of r.events) {
        const event: ChainEvent = {
          type: e.type as ChainEventType,
          attributes: Object.fromEntries(e.attributes.map((a) => [a.key, a.value])),
          height,
          txHash: r.hash,
        };
        this.history.push(event);
        for (const s of this.#subscribers) if (s.type === event.type) s.handler(event);
      }
    });
    return result;
  }

  /** A deposit by `spKey` (its next nonce tracked here), checked into the mempool; returns the CheckTx answer. */
  deposit(spKey: Uint8Array, fields: { zeta: string; value: bigint | string; proof: string }): BroadcastResult {
    const id = Buffer.from(spKey).toString("hex");
    const nonce = this.#nonces.get(id) ?? 0;
    const tx = buildDepositCredential(spKey, { chainId: this.chainIdValue, nonce }, fields);
    const result = this.#check(tx);
    if (result.code === 0) this.#nonces.set(id, nonce + 1);
    return result;
  }

  #check(tx: Uint8Array): BroadcastResult {
    const r = this.ledger.checkTx(tx);
    if (r.code === 0) {
      this.mempool.push(tx);
      this.accepted.push({ hash: txHash(tx), tx });
    }
    return { hash: txHash(tx), code: r.code, log: r.log, codespace: r.codespace };
  }

  #query<T>(path: string): T | undefined {
    const r = this.ledger.query(path);
    if (r.code === QUERY_CODES.NOT_FOUND) return undefined;
    if (r.code !== 0) throw new Error(`query ${path}: ${r.log}`);
    return JSON.parse(new TextDecoder().decode(r.value)) as T;
  }

  async chainId(): Promise<string> {
    return this.chainIdValue;
  }

  async latestHeight(): Promise<number> {
    return this.height;
  }

  async account(address: string): Promise<AccountView> {
    const raw = this.#query<{ address: `0x${string}`; balance: string; nonce: number }>(
      `/account/${address.toLowerCase()}`,
    );
    if (!raw) throw new Error("no account");
    return { address: raw.address, balance: BigInt(raw.balance), nonce: raw.nonce };
  }

  async zeta(zeta: string | Uint8Array): Promise<ZetaView> {
    if (this.failZetaQueries) throw new Error("zeta query failed (injected)");
    const view = this.#query<ZetaView>(`/zeta/${String(zeta).toLowerCase()}`) ?? { status: "unknown" };
    const proof = this.proofOverride.get(String(zeta).toLowerCase());
    if (proof !== undefined && view.status !== "unknown") view.proof = proof;
    if (this.hideVotesOf.size > 0) {
      view.valid = view.valid?.filter((a) => !this.hideVotesOf.has(a));
      view.invalid = view.invalid?.filter((a) => !this.hideVotesOf.has(a));
    }
    return view;
  }

  async params(): Promise<AppState> {
    const params = this.#query<AppState>("/params");
    if (!params) throw new Error("no params");
    return params;
  }

  async broadcastTxSync(tx: Uint8Array): Promise<BroadcastResult> {
    return this.#check(tx);
  }

  async broadcastTxsAsync(txs: readonly Uint8Array[]): Promise<{ hash: string; error?: string }[]> {
    return txs.map((tx) => {
      this.#check(tx);
      return { hash: txHash(tx) };
    });
  }

  async subscribe(
    type: ChainEventType,
    handler: (event: ChainEvent) => void,
    options: { fromHeight?: number } = {},
  ): Promise<() => void> {
    const entry = { type, handler };
    for (const e of this.history) {
      if (e.type === type && e.height >= (options.fromHeight ?? this.height + 1)) handler(e);
    }
    this.#subscribers.add(entry);
    return () => this.#subscribers.delete(entry);
  }

  /** Committed votes by `address` (its account nonce: every committed vote tx consumed one). */
  async nonceOf(address: string): Promise<number> {
    return (await this.account(address)).nonce;
  }
}
