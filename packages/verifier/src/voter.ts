import {
  type AppState,
  addressFromSecretKey,
  buildVerificationNotification,
  type ChainClient,
  TX_CODES,
  txErrorName,
  txHash,
} from "@nym-ts/chain-client";
import type { Logger } from "@nym-ts/common";
import { VerifierError } from "./errors.js";

/** What the verifier needs of the chain client (a real `ChainClient`, or a stand-in in unit tests). */
export type VerifierChain = Pick<
  ChainClient,
  "chainId" | "account" | "zeta" | "params" | "broadcastTxSync" | "broadcastTxsAsync" | "subscribe" | "latestHeight"
>;

export interface Vote {
  zeta: string;
  valid: boolean;
}

export type VoteOutcome =
  /** The vote is on chain: sent now (`voteTx`) or found there already (`voteTx` undefined). */
  | { kind: "voted"; voteTx: string | undefined }
  /** The chain refused it as a second vote of this verifier (CHAIN_ERROR_DUPLICATE_VOTE): it has one already. */
  | { kind: "duplicate" }
  /** The zeta was decided (spent or released) before this vote counted: nothing left to do. */
  | { kind: "decided" }
  /** Not done; retry later. `code` names why (a TX_CODES name, or a transport failure). */
  | { kind: "failed"; code: string };

export interface ChainVoterOptions {
  chain: VerifierChain;
  /** The verifier's secp256k1 key (32 bytes); its address must be in the chain's verifier set. */
  secretKey: Uint8Array;
  log?: Logger;
  /** Longest wait for the votes of one batch to commit (default 30 s). */
  commitTimeoutMs?: number;
  /** How often the account nonce is read while waiting (default 100 ms). */
  pollIntervalMs?: number;
  /** Pipelined votes: how long the nonce may stand still before the rest are handed back as failed (default 3 s). */
  stallMs?: number;
  /** Aborts waits when the verifier stops. */
  signal?: AbortSignal;
  /** Called with the name of every code the chain answered a vote with other than 0 (for metrics). */
  onChainCode?: (code: string) => void;
}

/** Codes after which the same vote will never be accepted: retrying it (after a backoff) is still harmless. */
const NONCE_CODE = TX_CODES.CHAIN_ERROR_NONCE;

/**
 * Posts signed `verification_notification` txs, several in flight with consecutive nonces of the verifier's account
 * (the ledger accepts a sender's next nonces into its mempool state before they commit), then confirms each vote from
 * the chain's voter lists before reporting it done. Two paths, as the Ethereum watchers' notifier:
 *
 * - pipelined (`vote(votes, { pipelined: true })`, for votes never tried before): every tx goes out in ordered
 *   `broadcast_tx_async` batches without waiting for CheckTx; the committed nonce is then awaited. A tx refused by
 *   CheckTx leaves a gap that stops the nonce; after `stallMs` of no progress the unconfirmed votes come back failed
 *   and are retried on the checked path.
 * - checked: one `broadcast_tx_sync` at a time, reading each CheckTx answer: CHAIN_ERROR_DUPLICATE_VOTE means the chain
 *   has this verifier's vote already (done), CHAIN_ERROR_ZETA_NOT_PENDING that the zeta was released (decided); a
 *   refused tx does not consume its nonce, so the next vote reuses it.
 */
export class ChainVoter {
  readonly address: `0x${string}`;
  readonly #chain: VerifierChain;
  readonly #key: Uint8Array;
  readonly #log: Logger | undefined;
  readonly #commitTimeoutMs: number;
  readonly #pollMs: number;
  readonly #stallMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onChainCode: ((code: string) => void) | undefined;

  constructor(options: ChainVoterOptions) {
    if (!(options.secretKey instanceof Uint8Array) || options.secretKey.length !== 32) {
      throw new TypeError("secretKey: expected 32 bytes");
    }
    this.#chain = options.chain;
    this.#key = options.secretKey;
    this.address = addressFromSecretKey(options.secretKey);
    this.#log = options.log?.child({ module: "voter" });
    this.#commitTimeoutMs = options.commitTimeoutMs ?? 30_000;
    this.#pollMs = options.pollIntervalMs ?? 100;
    this.#stallMs = options.stallMs ?? 3_000;
    this.#signal = options.signal;
    this.#onChainCode = options.onChainCode;
  }

  /** Reads the chain's genesis and checks this key is a verifier (VERIFIER_ERROR_NOT_A_VERIFIER otherwise). */
  async checkMembership(): Promise<AppState> {
    const params = await this.#chain.params();
    if (!isAddressIn(this.address, params.verifiers.members)) {
      throw new VerifierError("VERIFIER_ERROR_NOT_A_VERIFIER", `${this.address} is not in the chain's verifier set`, {
        address: this.address,
      });
    }
    return params;
  }

  /** Votes on each zeta once; the outcomes are in the order of `votes`. Never throws for a refused vote. */
  async vote(votes: readonly Vote[], options: { pipelined: boolean }): Promise<VoteOutcome[]> {
    if (votes.length === 0) return [];
    return options.pipelined ? this.#votePipelined(votes) : this.#voteChecked(votes);
  }

  async #votePipelined(votes: readonly Vote[]): Promise<VoteOutcome[]> {
    const chainId = await this.#chain.chainId();
    const start = (await this.#chain.account(this.address)).nonce;
    const txs = votes.map((v, i) =>
      buildVerificationNotification(this.#key, { chainId, nonce: start + i }, { zeta: v.zeta, valid: v.valid }),
    );
    const hashes = txs.map((tx) => txHash(tx));
    let queued = txs.length;
    try {
      const answers = await this.#chain.broadcastTxsAsync(txs);
      const refused = answers.findIndex((a) => a.error !== undefined);
      if (refused >= 0) {
        // The node queued the ones before; the rest would only wait behind a nonce gap.
        queued = refused;
        this.#onChainCode?.("BROADCAST_REFUSED");
        this.#log?.warn({ refused: votes.length - refused }, "node refused pipelined votes");
      }
    } catch (error) {
      this.#log?.warn({ err: error }, "pipelined broadcast failed");
      queued = 0;
    }
    if (queued > 0) await this.#awaitNonce(start + queued, true);
    return this.#confirm(
      votes,
      hashes.map((hash, i) => (i < queued ? hash : undefined)),
      "CHAIN_ERROR_NOT_COMMITTED",
    );
  }

  async #voteChecked(votes: readonly Vote[]): Promise<VoteOutcome[]> {
    const chainId = await this.#chain.chainId();
    let nonce = (await this.#chain.account(this.address)).nonce;
    const outcomes: (VoteOutcome | undefined)[] = new Array(votes.length);
    const posted: (string | undefined)[] = new Array(votes.length);
    let stop: string | undefined;
    for (const [i, v] of votes.entries()) {
      if (stop !== undefined) {
        outcomes[i] = { kind: "failed", code: stop };
        continue;
      }
      const tx = buildVerificationNotification(this.#key, { chainId, nonce }, { zeta: v.zeta, valid: v.valid });
      let code: number;
      try {
        code = (await this.#chain.broadcastTxSync(tx)).code;
      } catch (error) {
        this.#log?.warn({ err: error }, "vote broadcast failed");
        stop = "CHAIN_ERROR_BROADCAST";
        outcomes[i] = { kind: "failed", code: stop };
        this.#onChainCode?.(stop);
        continue;
      }
      if (code === 0) {
        nonce++;
        posted[i] = txHash(tx);
        continue;
      }
      const name = txErrorName(code) ?? `CODE_${code}`;
      this.#onChainCode?.(name);
      if (code === TX_CODES.CHAIN_ERROR_DUPLICATE_VOTE) outcomes[i] = { kind: "duplicate" };
      else if (code === TX_CODES.CHAIN_ERROR_ZETA_NOT_PENDING) outcomes[i] = { kind: "decided" };
      else {
        outcomes[i] = { kind: "failed", code: name };
        // A nonce the ledger does not expect (a vote of an earlier run still in the mempool): the rest would fail too.
        if (code === NONCE_CODE) stop = name;
        this.#log?.warn({ code: name, zeta: v.zeta }, "chain refused a vote");
      }
    }
    if (posted.some((h) => h !== undefined)) await this.#awaitNonce(nonce, false);
    const confirmed = await this.#confirm(votes, posted, "CHAIN_ERROR_NOT_COMMITTED");
    return confirmed.map((c, i) => {
      const refused = outcomes[i];
      // A vote refused now may still be on chain from an earlier run (its tx was in the mempool): the chain decides.
      if (refused?.kind === "failed" && c.kind !== "failed") return c;
      return refused ?? c;
    });
  }

  /**
   * Waits until the account's committed nonce reaches `nonce`: until the commit timeout, or with `stall` until it
   * stands still for `stallMs`. Returns without throwing either way; the confirmation tells what landed.
   */
  async #awaitNonce(nonce: number, stall: boolean): Promise<void> {
    const deadline = Date.now() + this.#commitTimeoutMs;
    let seen = -1;
    let movedAt = Date.now();
    for (;;) {
      this.#checkStopped();
      let current: number;
      try {
        current = (await this.#chain.account(this.address)).nonce;
      } catch (error) {
        this.#log?.debug({ err: error }, "nonce query failed");
        current = seen;
      }
      if (current >= nonce) return;
      if (current > seen) {
        seen = current;
        movedAt = Date.now();
      }
      if ((stall && Date.now() - movedAt > this.#stallMs) || Date.now() > deadline) {
        this.#log?.warn(
          { committedUpTo: seen, expected: nonce },
          "votes not all committed; confirming each from the chain",
        );
        return;
      }
      await this.#sleep(this.#pollMs);
    }
  }

  /**
   * What the chain shows for each vote: this verifier among the zeta's voters (done), the zeta decided without it,
   * or neither (failed with `missing`). Votes with no tx of this call (`hashes[i]` undefined) are still looked up: a
   * vote of an earlier run may be there.
   */
  async #confirm(
    votes: readonly Vote[],
    hashes: readonly (string | undefined)[],
    missing: string,
  ): Promise<VoteOutcome[]> {
    const out: VoteOutcome[] = [];
    for (const [i, v] of votes.entries()) {
      this.#checkStopped();
      try {
        const view = await this.#chain.zeta(v.zeta);
        if (isAddressIn(this.address, view.valid) || isAddressIn(this.address, view.invalid)) {
          out.push({ kind: "voted", voteTx: hashes[i] });
        } else if (view.status === "spent" || view.status === "released") {
          out.push({ kind: "decided" });
        } else {
          out.push({ kind: "failed", code: missing });
        }
      } catch (error) {
        this.#log?.debug({ err: error }, "zeta query failed");
        out.push({ kind: "failed", code: "CHAIN_ERROR_QUERY" });
      }
    }
    return out;
  }

  #checkStopped(): void {
    if (this.#signal?.aborted) throw new VerifierError("VERIFIER_ERROR_STOPPED", "the verifier is stopping", {});
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.#signal;
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

/** Whether `address` is in `list` (the chain's lists hold lower-case addresses). */
export function isAddressIn(address: string, list: readonly string[] | undefined): boolean {
  const a = address.toLowerCase();
  return (list ?? []).some((x) => x.toLowerCase() === a);
}
