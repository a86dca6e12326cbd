import { createHash } from "node:crypto";
import {
  type Address,
  type AppState,
  appStateSchema,
  ChainError,
  CODESPACE,
  decodeTx,
  proofZeta,
  QUERY_CODES,
  TX_CODES,
  TxRejected,
  txHash,
  type VerifiedTx,
  type ZetaStatus,
} from "@nym-ts/chain-client";
import { SignatureVerifier } from "./keys.js";
import { type CommittedStore, Overlay } from "./store.js";
import { VerifiedTxCache } from "./tx-cache.js";

/** An ABCI event attribute; `index: false` keeps it out of CometBFT's tx index (it is still in the tx result). */
export interface LedgerEventAttribute {
  key: string;
  value: string;
  index: boolean;
}
export interface LedgerEvent {
  type: string;
  attributes: LedgerEventAttribute[];
}

export interface TxResult {
  code: number;
  codespace: string;
  log: string;
  events: LedgerEvent[];
  /** The tx's hash when it decoded, for logs. */
  hash: string;
  sender?: Address;
  type?: string;
}

export interface QueryResult {
  code: number;
  log: string;
  value: Uint8Array;
  height: number;
}

export interface AccountState {
  address: Address;
  balance: bigint;
  nonce: number;
}

/** A zeta's state. Its proof (up to 16 KiB, written once per deposit) is kept under its own key, so that the votes,
 * which rewrite this record, neither re-parse nor re-write it. */
interface ZetaRecord {
  status: Exclude<ZetaStatus, "unknown">;
  sp: Address;
  value: string;
  depositTx: string;
  height: number;
  valid: Address[];
  invalid: Address[];
}

interface TransferRecord {
  voters: Address[];
  /** `address:amount` -> the watchers that reported exactly that claim. */
  claims: Record<string, Address[]>;
  credited: { address: Address; amount: string } | null;
}

interface CredentialRequestRecord {
  requester: Address;
  value: string;
  blindSignRequest: string;
  publicAttributes: string[];
  height: number;
}

const MAX_BALANCE = (1n << 128n) - 1n;
const EMPTY_HASH = new Uint8Array(32);
const K_PARAMS = "params";
const kAccount = (a: string) => `acct/${a}`;
const kTransfer = (hash: string, index: number) => `xfer/${hash}/${index}`;
const kZeta = (zeta: string) => `zeta/${zeta}`;
const kZetaProof = (zeta: string) => `zproof/${zeta}`;
const kRequest = (id: string) => `creq/${id}`;

/**
 * Only the attributes that name something one searches by (the zeta, an account, a request, an Ethereum log) go into
 * CometBFT's tx index; the others (amounts, balances, vote counts, proofs) are `STORED`: in the tx result and in
 * every event delivered to subscribers and by tx_search, but not indexed, which saves every node an index write per
 * attribute per tx. The chain client searches by the attributes of EVENT_KEYS, all indexed.
 */
const INDEXED = true;
const STORED = false;
const attr = (key: string, value: string | number | bigint | boolean, index: boolean): LedgerEventAttribute => ({
  key,
  value: String(value),
  index,
});

/**
 * The Nym ledger as a deterministic state machine. It does no I/O of its own: state lives in the injected
 * `CommittedStore` (SQLite in the daemon, memory in unit tests), and every result depends only on the committed
 * state and the tx bytes. The same blocks on two instances give the same app hash.
 *
 * - `checkTx` runs the full tx logic against a mempool overlay (reset at every commit), so a nonce sequence, an
 *   overspend or a second deposit of one zeta is caught before it reaches a block.
 * - `finalizeBlock` runs the block against a block overlay and returns the new app hash; `commit` persists it.
 * - A tx whose signature, schema, chain id and nonce are right but whose effect is refused (a duplicate vote, an
 *   overspend) still consumes its nonce, as on Ethereum, so the same signed tx can never execute later.
 */
export class Ledger {
  readonly #store: CommittedStore;
  readonly #verifier: SignatureVerifier;
  /** Txs that passed decoding, schema and signature in CheckTx (a pure function of the exact bytes): RECHECK and
   * FinalizeBlock reuse that verdict and only run the state-dependent checks again. */
  readonly #verified: VerifiedTxCache;
  #checkState: Overlay;
  #block: { height: number; state: Overlay; appHash: Uint8Array } | undefined;
  #params: AppState | undefined;
  #chainId: string | undefined;
  #height: number;
  #appHash: Uint8Array;
  /** Height of the first block after InitChain (the genesis initial_height). */
  #firstHeight = 1;
  /** Writes of InitChain, committed with the first block (InitChain itself must not persist). */
  #genesisWrites: Overlay | undefined;

  constructor(store: CommittedStore, options: { verifier?: SignatureVerifier; txCacheEntries?: number } = {}) {
    this.#store = store;
    this.#verifier = options.verifier ?? new SignatureVerifier();
    this.#verified = new VerifiedTxCache(options.txCacheEntries ?? 50_000);
    const meta = store.meta();
    this.#height = meta?.height ?? 0;
    this.#appHash = meta ? Uint8Array.from(meta.appHash) : EMPTY_HASH;
    this.#chainId = meta?.chainId;
    const params = store.get(K_PARAMS);
    if (params !== undefined) this.#params = appStateSchema.parse(JSON.parse(params));
    this.#checkState = new Overlay(store);
  }

  info(): { height: number; appHash: Uint8Array; chainId: string | undefined } {
    return { height: this.#height, appHash: Uint8Array.from(this.#appHash), chainId: this.#chainId };
  }

  get params(): AppState | undefined {
    return this.#params;
  }

  /** Applies the genesis app_state; returns the genesis app hash. `initialHeight` is the genesis initial_height. */
  initChain(chainId: string, appStateBytes: Uint8Array, initialHeight = 1): Uint8Array {
    if (this.#height !== 0 || this.#params) {
      throw new ChainError("CHAIN_ERROR_GENESIS", "InitChain on a ledger that already has state", {});
    }
    let raw: unknown;
    try {
      raw = appStateBytes.length === 0 ? {} : JSON.parse(new TextDecoder().decode(appStateBytes));
    } catch (cause) {
      throw new ChainError("CHAIN_ERROR_GENESIS", "genesis app_state is not JSON", {}, { cause });
    }
    let parsed: ReturnType<typeof appStateSchema.safeParse>;
    try {
      parsed = appStateSchema.safeParse(raw);
    } catch (cause) {
      throw new ChainError("CHAIN_ERROR_GENESIS", "genesis app_state rejected", {}, { cause });
    }
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new ChainError("CHAIN_ERROR_GENESIS", `genesis app_state rejected: ${issues}`, {});
    }
    const params = parsed.data;
    const state = new Overlay(this.#store);
    state.set(K_PARAMS, JSON.stringify(params));
    for (const { address, balance } of params.accounts) {
      state.set(kAccount(address), JSON.stringify({ balance, nonce: 0 }));
    }
    this.#params = params;
    this.#chainId = chainId;
    this.#genesisWrites = state;
    this.#firstHeight = Math.max(1, initialHeight);
    this.#appHash = nextAppHash(EMPTY_HASH, 0, state.writes);
    this.#checkState = new Overlay(state);
    return Uint8Array.from(this.#appHash);
  }

  /** CheckTx, NEW or RECHECK alike: a tx seen before on this node skips decoding and signature (cached by its exact
   * bytes); the state checks and the effect always run against the mempool state. */
  checkTx(tx: Uint8Array): TxResult {
    const hash = txHash(tx);
    let vtx = this.#verified.get(hash, tx);
    if (!vtx) {
      try {
        vtx = decodeTx(tx, this.#verifier, hash);
      } catch (error) {
        return rejected(hash, error);
      }
      this.#verified.set(tx, vtx);
    }
    const scratch = new Overlay(this.#checkState);
    const result = this.#execute(scratch, vtx, this.#height + 1);
    // Only a tx that would succeed enters the mempool state: the next tx of the sender expects the next nonce.
    if (result.code === 0) scratch.mergeInto(this.#checkState);
    return result;
  }

  finalizeBlock(height: number, txs: readonly Uint8Array[]): { txResults: TxResult[]; appHash: Uint8Array } {
    if (!this.#params || this.#chainId === undefined) {
      throw new ChainError("CHAIN_ERROR_STATE", "FinalizeBlock before InitChain", { height });
    }
    const expected = this.#height === 0 ? this.#firstHeight : this.#height + 1;
    if (height !== expected) {
      throw new ChainError("CHAIN_ERROR_STATE", `FinalizeBlock for height ${height} after ${this.#height}`, {
        height,
      });
    }
    const state = new Overlay(this.#genesisWrites ?? this.#store);
    const txResults = txs.map((tx) => {
      const hash = txHash(tx);
      // A tx this node checked in CheckTx (same bytes) is not decoded and verified again; any other is, in full.
      let vtx = this.#verified.get(hash, tx);
      if (vtx) this.#verified.delete(hash);
      else {
        try {
          vtx = decodeTx(tx, this.#verifier, hash);
        } catch (error) {
          return rejected(hash, error);
        }
      }
      return this.#execute(state, vtx, height);
    });
    const appHash = nextAppHash(this.#appHash, height, state.writes);
    this.#block = { height, state, appHash };
    return { txResults, appHash: Uint8Array.from(appHash) };
  }

  /** Persists the last finalized block and resets the mempool state. */
  commit(): { height: number; appHash: Uint8Array } {
    const block = this.#block;
    if (!block || this.#chainId === undefined) throw new ChainError("CHAIN_ERROR_STATE", "Commit without a block", {});
    const writes = new Map(this.#genesisWrites?.writes ?? []);
    for (const [k, v] of block.state.writes) writes.set(k, v);
    this.#store.commit(writes, { height: block.height, appHash: block.appHash, chainId: this.#chainId });
    this.#genesisWrites = undefined;
    this.#block = undefined;
    this.#height = block.height;
    this.#appHash = block.appHash;
    this.#checkState = new Overlay(this.#store);
    return { height: this.#height, appHash: Uint8Array.from(this.#appHash) };
  }

  /** Queries committed state. Paths: /account/<addr>, /zeta/<hex>, /credential_request/<id>, /transfer/<hash>/<i>, /params. */
  query(path: string): QueryResult {
    const ok = (value: unknown): QueryResult => ({
      code: QUERY_CODES.OK,
      log: "",
      value: new TextEncoder().encode(JSON.stringify(value)),
      height: this.#height,
    });
    const fail = (code: number, log: string): QueryResult => ({
      code,
      log,
      value: new Uint8Array(),
      height: this.#height,
    });
    const parts = path.split("/").filter((p) => p.length > 0);
    const [kind, a, b] = parts;
    if (kind === "params" && parts.length === 1) {
      return this.#params ? ok(this.#params) : fail(QUERY_CODES.NOT_FOUND, "no genesis yet");
    }
    if (kind === "account" && parts.length === 2 && a && /^0x[0-9a-fA-F]{40}$/.test(a)) {
      const account = readAccount(this.#store, a.toLowerCase() as Address);
      return ok({ address: account.address, balance: account.balance.toString(), nonce: account.nonce });
    }
    if (kind === "zeta" && parts.length === 2 && a && /^0x[0-9a-fA-F]{192}$/.test(a)) {
      const zeta = a.toLowerCase();
      const raw = this.#store.get(kZeta(zeta));
      if (raw === undefined) return ok({ status: "unknown" });
      const record = JSON.parse(raw) as ZetaRecord;
      const proof = this.#store.get(kZetaProof(zeta));
      return ok({
        status: record.status,
        sp: record.sp,
        value: record.value,
        proof: proof === undefined ? "" : (JSON.parse(proof) as string),
        depositTx: record.depositTx,
        height: record.height,
        valid: record.valid,
        invalid: record.invalid,
      });
    }
    if (kind === "credential_request" && parts.length === 2 && a && /^[0-9a-fA-F]{64}$/.test(a)) {
      const raw = this.#store.get(kRequest(a.toUpperCase()));
      return raw === undefined ? fail(QUERY_CODES.NOT_FOUND, "no such credential request") : ok(JSON.parse(raw));
    }
    if (kind === "transfer" && parts.length === 3 && a && b && /^0x[0-9a-fA-F]{64}$/.test(a) && /^\d{1,10}$/.test(b)) {
      const raw = this.#store.get(kTransfer(a.toLowerCase(), Number(b)));
      return raw === undefined ? fail(QUERY_CODES.NOT_FOUND, "no votes for this transfer") : ok(JSON.parse(raw));
    }
    return fail(QUERY_CODES.BAD_PATH, `unknown query path ${JSON.stringify(path.slice(0, 200))}`);
  }

  #execute(state: Overlay, vtx: VerifiedTx, height: number): TxResult {
    const base = { hash: vtx.hash, sender: vtx.sender, type: vtx.body.type };
    const params = this.#params;
    if (!params) return { ...rejected(vtx.hash, new TxRejected("CHAIN_ERROR_WRONG_CHAIN", "no genesis yet")), ...base };
    if (vtx.body.chainId !== this.#chainId) {
      return {
        ...rejected(vtx.hash, new TxRejected("CHAIN_ERROR_WRONG_CHAIN", `tx is for chain ${vtx.body.chainId}`)),
        ...base,
      };
    }
    const account = readAccount(state, vtx.sender);
    if (vtx.body.nonce !== account.nonce) {
      const error = new TxRejected("CHAIN_ERROR_NONCE", `nonce ${vtx.body.nonce}, expected ${account.nonce}`);
      return { ...rejected(vtx.hash, error), ...base };
    }
    const effects = new Overlay(state);
    writeAccount(effects, { ...account, nonce: account.nonce + 1 });
    try {
      const events = applyTx(effects, params, vtx, height);
      effects.mergeInto(state);
      return { code: 0, codespace: "", log: "", events, ...base };
    } catch (error) {
      if (!(error instanceof TxRejected)) throw error;
      // The effect is refused, but the nonce is spent: only the account write survives.
      writeAccount(state, { ...account, nonce: account.nonce + 1 });
      return { ...rejected(vtx.hash, error), ...base };
    }
  }
}

function rejected(hash: string, error: unknown): TxResult {
  if (error instanceof TxRejected) {
    return { code: error.abciCode, codespace: CODESPACE, log: `${error.code}: ${error.message}`, events: [], hash };
  }
  throw error;
}

function readAccount(state: { get(key: string): string | undefined }, address: Address): AccountState {
  const raw = state.get(kAccount(address));
  if (raw === undefined) return { address, balance: 0n, nonce: 0 };
  const parsed = JSON.parse(raw) as { balance: string; nonce: number };
  return { address, balance: BigInt(parsed.balance), nonce: parsed.nonce };
}

function writeAccount(state: Overlay, account: AccountState): void {
  state.set(kAccount(account.address), JSON.stringify({ balance: account.balance.toString(), nonce: account.nonce }));
}

function credit(state: Overlay, address: Address, amount: bigint): bigint {
  const account = readAccount(state, address);
  const balance = account.balance + amount;
  if (balance > MAX_BALANCE) throw new TxRejected("CHAIN_ERROR_BALANCE_OVERFLOW", `balance of ${address} overflows`);
  writeAccount(state, { ...account, balance });
  return balance;
}

function applyTx(state: Overlay, params: AppState, vtx: VerifiedTx, height: number): LedgerEvent[] {
  const { body, sender } = vtx;
  switch (body.type) {
    case "transfer_notification": {
      if (!params.watchers.members.includes(sender)) {
        throw new TxRejected("CHAIN_ERROR_UNAUTHORIZED", `${sender} is not a watcher`);
      }
      const key = kTransfer(body.ethTxHash, body.logIndex);
      const raw = state.get(key);
      const record: TransferRecord = raw ? JSON.parse(raw) : { voters: [], claims: {}, credited: null };
      if (record.voters.includes(sender)) {
        throw new TxRejected(
          "CHAIN_ERROR_DUPLICATE_VOTE",
          `${sender} already voted on ${body.ethTxHash}/${body.logIndex}`,
        );
      }
      record.voters.push(sender);
      const claim = `${body.address}:${body.amount}`;
      const agreeing = record.claims[claim] ?? [];
      agreeing.push(sender);
      record.claims[claim] = agreeing;
      const events: LedgerEvent[] = [];
      let creditedNow = false;
      if (record.credited === null && agreeing.length >= params.watchers.threshold) {
        const balance = credit(state, body.address, BigInt(body.amount));
        record.credited = { address: body.address, amount: body.amount };
        creditedNow = true;
        events.push({
          type: "transfer_credited",
          attributes: [
            attr("address", body.address, INDEXED),
            attr("amount", body.amount, STORED),
            attr("balance", balance, STORED),
            attr("eth_tx_hash", body.ethTxHash, INDEXED),
            attr("log_index", body.logIndex, STORED),
          ],
        });
      }
      state.set(key, JSON.stringify(record));
      events.unshift({
        type: "transfer_notification",
        attributes: [
          attr("watcher", sender, INDEXED),
          attr("eth_tx_hash", body.ethTxHash, INDEXED),
          attr("log_index", body.logIndex, STORED),
          attr("address", body.address, INDEXED),
          attr("amount", body.amount, STORED),
          attr("votes", agreeing.length, STORED),
          attr("credited", creditedNow, STORED),
        ],
      });
      return events;
    }
    case "credential_request": {
      const account = readAccount(state, sender);
      const value = BigInt(body.value);
      if (account.balance < value) {
        throw new TxRejected("CHAIN_ERROR_INSUFFICIENT_FUNDS", `balance ${account.balance} < value ${value}`);
      }
      writeAccount(state, { ...account, balance: account.balance - value });
      const record: CredentialRequestRecord = {
        requester: sender,
        value: body.value,
        blindSignRequest: body.blindSignRequest,
        publicAttributes: body.publicAttributes,
        height,
      };
      state.set(kRequest(vtx.hash), JSON.stringify(record));
      return [
        {
          type: "credential_request",
          attributes: [
            attr("request_id", vtx.hash, INDEXED),
            attr("requester", sender, INDEXED),
            attr("value", body.value, STORED),
            attr("blind_sign_request", body.blindSignRequest, STORED),
            attr("public_attributes", JSON.stringify(body.publicAttributes), STORED),
          ],
        },
      ];
    }
    case "deposit_credential": {
      // Who checks what (docs/validator.md, "Credential deposits"): the ledger records the sender as the SP and
      // checks, from the Θ framing alone (no point decoding, no pairing), that the proof reveals the zeta deposited;
      // the verifiers check the proof itself, bound to this sender and disclosing this value.
      const revealed = proofZeta(body.proof);
      if (revealed !== body.zeta) {
        throw new TxRejected(
          "CHAIN_ERROR_ZETA_MISMATCH",
          revealed === undefined ? "the proof is not a Coconut Θ encoding" : "the proof reveals another zeta",
        );
      }
      const key = kZeta(body.zeta);
      const raw = state.get(key);
      if (raw) {
        const existing = JSON.parse(raw) as ZetaRecord;
        if (existing.status !== "released") {
          throw new TxRejected("CHAIN_ERROR_ZETA_IN_USE", `zeta is ${existing.status}`);
        }
      }
      const record: ZetaRecord = {
        status: "being_verified",
        sp: sender,
        value: body.value,
        depositTx: vtx.hash,
        height,
        valid: [],
        invalid: [],
      };
      state.set(key, JSON.stringify(record));
      state.set(kZetaProof(body.zeta), JSON.stringify(body.proof));
      return [
        {
          type: "deposit_credential",
          attributes: [
            attr("zeta", body.zeta, INDEXED),
            attr("sp", sender, INDEXED),
            attr("value", body.value, STORED),
            attr("deposit_tx", vtx.hash, STORED),
            // No `proof`: it is in the tx itself and in the /zeta query, which a verifier reads before voting. In
            // the event it was stored twice more by every node (block results and tx index, ~1.6 KB per deposit
            // for a 400-byte proof) and encoded, decoded and pushed to subscribers, for nobody.
          ],
        },
      ];
    }
    case "verification_notification": {
      if (!params.verifiers.members.includes(sender)) {
        throw new TxRejected("CHAIN_ERROR_UNAUTHORIZED", `${sender} is not a verifier`);
      }
      const key = kZeta(body.zeta);
      const raw = state.get(key);
      if (!raw) throw new TxRejected("CHAIN_ERROR_ZETA_UNKNOWN", "no deposit for this zeta");
      const record = JSON.parse(raw) as ZetaRecord;
      if (record.status === "released") {
        throw new TxRejected("CHAIN_ERROR_ZETA_NOT_PENDING", "the deposit of this zeta was released");
      }
      if (record.valid.includes(sender) || record.invalid.includes(sender)) {
        throw new TxRejected("CHAIN_ERROR_DUPLICATE_VOTE", `${sender} already voted on this zeta`);
      }
      const wasPending = record.status === "being_verified";
      (body.valid ? record.valid : record.invalid).push(sender);
      const events: LedgerEvent[] = [
        {
          type: "verification_notification",
          attributes: [
            attr("zeta", body.zeta, INDEXED),
            attr("verifier", sender, INDEXED),
            attr("valid", body.valid, STORED),
            attr("valid_votes", record.valid.length, STORED),
            attr("invalid_votes", record.invalid.length, STORED),
          ],
        },
      ];
      // Late votes after the decision are recorded but change nothing.
      if (wasPending && record.valid.length >= params.verifiers.threshold) {
        record.status = "spent";
        const balance = credit(state, record.sp, BigInt(record.value));
        events.push({
          type: "zeta_spent",
          attributes: [
            attr("zeta", body.zeta, INDEXED),
            attr("sp", record.sp, INDEXED),
            attr("value", record.value, STORED),
            attr("balance", balance, STORED),
          ],
        });
      } else if (wasPending && record.invalid.length >= params.verifiers.threshold) {
        record.status = "released";
        events.push({
          type: "zeta_released",
          attributes: [attr("zeta", body.zeta, INDEXED), attr("sp", record.sp, INDEXED)],
        });
      }
      state.set(key, JSON.stringify(record));
      return events;
    }
  }
}

/**
 * app_hash(h) = sha256(app_hash(h-1) || u64be(h) || sha256 of the block's writes sorted by key), and unchanged by a
 * block that writes nothing. Every state change changes it; validators that executed the same blocks agree on it.
 */
export function nextAppHash(previous: Uint8Array, height: number, writes: ReadonlyMap<string, string>): Uint8Array {
  if (writes.size === 0) return Uint8Array.from(previous);
  const digest = createHash("sha256");
  // len || bytes for the key and the value, fed to the hash without building a buffer per string.
  const len = Buffer.alloc(4);
  const prefixed = (text: string) => {
    len.writeUInt32BE(Buffer.byteLength(text, "utf8"));
    digest.update(len).update(text, "utf8");
  };
  for (const key of [...writes.keys()].sort()) {
    prefixed(key);
    prefixed(writes.get(key) as string);
  }
  const h = Buffer.alloc(8);
  h.writeBigUInt64BE(BigInt(height));
  return new Uint8Array(createHash("sha256").update(previous).update(h).update(digest.digest()).digest());
}

export { TX_CODES };
