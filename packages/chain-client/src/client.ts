import { Comet38Client, HttpClient, WebsocketClient } from "@cosmjs/tendermint-rpc";
import type { Logger } from "@nym-ts/common";
import { ChainError } from "./errors.js";
import type { AppState } from "./genesis.js";
import type { Address } from "./keys.js";
import { txHash } from "./tx.js";

/** ABCI query answer codes of the ledger (part of the wire contract). */
export const QUERY_CODES = { OK: 0, BAD_PATH: 1, NOT_FOUND: 2 } as const;

/** Where a serial number (zeta) stands on chain. */
export type ZetaStatus = "unknown" | "being_verified" | "spent" | "released";

/** The indexed attribute each event type is found by in subscriptions and searches. */
export const EVENT_KEYS = {
  transfer_notification: "watcher",
  transfer_credited: "address",
  credential_request: "request_id",
  deposit_credential: "zeta",
  verification_notification: "zeta",
  zeta_spent: "zeta",
  zeta_released: "zeta",
} as const;

export type ChainEventType = keyof typeof EVENT_KEYS;

export interface ChainEvent {
  type: ChainEventType;
  attributes: Record<string, string>;
  height: number;
  /** Upper-case hex hash of the tx that emitted the event. */
  txHash: string;
}

export interface BroadcastResult {
  hash: string;
  /** 0 when accepted; otherwise the ledger's code (see TX_CODES). */
  code: number;
  log: string;
  codespace: string;
}

export interface CommitResult extends BroadcastResult {
  /** Height of the block holding the tx; 0 when CheckTx rejected it. */
  height: number;
  /** Where a non-zero code came from. */
  phase: "check" | "deliver";
  events: { type: string; attributes: Record<string, string> }[];
}

export interface AccountView {
  address: Address;
  balance: bigint;
  nonce: number;
}

export interface ZetaView {
  status: ZetaStatus;
  sp?: Address;
  value?: string;
  proof?: string;
  depositTx?: string;
  height?: number;
  valid?: Address[];
  invalid?: Address[];
}

export interface CredentialRequestView {
  requester: Address;
  value: string;
  blindSignRequest: string;
  publicAttributes: string[];
  height: number;
}

export interface TransferView {
  voters: Address[];
  claims: Record<string, Address[]>;
  credited: { address: Address; amount: string } | null;
}

export interface SubscribeOptions {
  /** Also deliver past events from this height on (from CometBFT's tx index), before live ones. */
  fromHeight?: number;
}

export interface ChainClientOptions {
  /** CometBFT RPC, `http://127.0.0.1:26657`. The websocket endpoint is derived from it. */
  rpcUrl: string;
  log?: Logger;
  /** Delay before the first reconnect attempt; doubles up to 5 s. */
  reconnectDelayMs?: number;
}

/**
 * What every component uses to talk to the chain: broadcast, queries, and event subscriptions over CometBFT's
 * websocket that survive a node restart (resubscribing, and replaying from the tx index what was missed meanwhile).
 */
export class ChainClient {
  readonly #http: Comet38Client;
  readonly #rpcUrl: string;
  readonly #wsUrl: string;
  readonly #log: Logger | undefined;
  readonly #reconnectDelayMs: number;
  readonly #subscriptions = new Set<Subscription>();
  #chainId: string | undefined;

  private constructor(http: Comet38Client, options: ChainClientOptions) {
    this.#http = http;
    this.#rpcUrl = options.rpcUrl.replace(/\/$/, "");
    this.#wsUrl = this.#rpcUrl.replace(/^http/, "ws");
    this.#log = options.log?.child({ module: "chain-client" });
    this.#reconnectDelayMs = options.reconnectDelayMs ?? 200;
  }

  static async connect(options: ChainClientOptions): Promise<ChainClient> {
    if (!/^https?:\/\//.test(options.rpcUrl)) throw new TypeError("rpcUrl: expected an http(s):// URL");
    return new ChainClient(Comet38Client.create(new HttpClient(options.rpcUrl)), options);
  }

  get rpcUrl(): string {
    return this.#rpcUrl;
  }

  async chainId(): Promise<string> {
    if (this.#chainId === undefined) this.#chainId = (await this.#http.status()).nodeInfo.network;
    return this.#chainId;
  }

  async latestHeight(): Promise<number> {
    return (await this.#http.status()).syncInfo.latestBlockHeight;
  }

  async status(): Promise<{ height: number; appHash: string; catchingUp: boolean; chainId: string }> {
    const s = await this.#http.status();
    return {
      height: s.syncInfo.latestBlockHeight,
      appHash: Buffer.from(s.syncInfo.latestAppHash ?? new Uint8Array()).toString("hex"),
      catchingUp: s.syncInfo.catchingUp,
      chainId: s.nodeInfo.network,
    };
  }

  /** What this node's app reports over ABCI Info: its last committed height and app hash (hex). */
  async appInfo(): Promise<{ height: number; appHash: string }> {
    const info = await this.#http.abciInfo();
    return {
      height: info.lastBlockHeight ?? 0,
      appHash: Buffer.from(info.lastBlockAppHash ?? new Uint8Array()).toString("hex"),
    };
  }

  /** The app hash in the header of block `height + 1`, i.e. the state after executing block `height`. */
  async appHashAfter(height: number): Promise<string> {
    const block = await this.#http.block(height + 1);
    return Buffer.from(block.block.header.appHash).toString("hex");
  }

  /** The result code of every tx in block `height`, in block order. */
  async blockResultCodes(height: number): Promise<number[]> {
    const r = await this.#http.blockResults(height);
    return r.results.map((x) => x.code);
  }

  /** Submits a tx and waits for CheckTx only. */
  async broadcastTxSync(tx: Uint8Array): Promise<BroadcastResult> {
    try {
      const r = await this.#http.broadcastTxSync({ tx });
      return { hash: hex(r.hash), code: r.code, log: r.log ?? "", codespace: r.codespace ?? "" };
    } catch (cause) {
      throw new ChainError(
        "CHAIN_ERROR_BROADCAST",
        `broadcast to ${this.#rpcUrl} failed`,
        { hash: txHash(tx) },
        { cause },
      );
    }
  }

  /**
   * `broadcast_tx_async` for many txs, in order, as JSON-RPC batches: CometBFT runs the calls of a batch one after
   * another, each queueing its tx for CheckTx before the next, so consecutive nonces of one sender reach CheckTx in
   * order without a round trip per tx. Batches go one at a time (at most `rpc.max_request_batch_size`, default 10,
   * calls each). The answer says only whether the node queued each tx (`error` when it refused it outright, e.g. a
   * full mempool or a tx already in its cache), not what CheckTx said: watch the sender's nonce or the events.
   */
  async broadcastTxsAsync(
    txs: readonly Uint8Array[],
    options: { batchSize?: number } = {},
  ): Promise<{ hash: string; error?: string }[]> {
    const batchSize = options.batchSize ?? 10;
    const out: { hash: string; error?: string }[] = [];
    for (let from = 0; from < txs.length; from += batchSize) {
      const chunk = txs.slice(from, from + batchSize);
      const body = chunk.map((tx, i) => ({
        jsonrpc: "2.0",
        id: from + i,
        method: "broadcast_tx_async",
        params: { tx: Buffer.from(tx).toString("base64") },
      }));
      let answer: unknown;
      try {
        const response = await fetch(this.#rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(20_000),
        });
        answer = await response.json();
      } catch (cause) {
        throw new ChainError("CHAIN_ERROR_BROADCAST", `broadcast_tx_async to ${this.#rpcUrl} failed`, {}, { cause });
      }
      // CometBFT answers a batch of one with a bare object.
      const items = (Array.isArray(answer) ? answer : [answer]) as {
        id?: number;
        error?: { data?: string; message?: string };
      }[];
      if (items.length !== chunk.length) {
        throw new ChainError("CHAIN_ERROR_BROADCAST", "broadcast_tx_async batch answer has the wrong shape", {});
      }
      const byId = new Map(items.map((item) => [item.id, item]));
      chunk.forEach((tx, i) => {
        const item = byId.get(from + i);
        const error = item?.error ? (item.error.data ?? item.error.message ?? "refused") : undefined;
        out.push(error === undefined ? { hash: txHash(tx) } : { hash: txHash(tx), error });
      });
    }
    return out;
  }

  /** Submits a tx and waits until it is in a committed block (or rejected by CheckTx). */
  async broadcastTxCommit(tx: Uint8Array): Promise<CommitResult> {
    let r: Awaited<ReturnType<Comet38Client["broadcastTxCommit"]>>;
    try {
      r = await this.#http.broadcastTxCommit({ tx });
    } catch (cause) {
      throw new ChainError(
        "CHAIN_ERROR_BROADCAST",
        `broadcast to ${this.#rpcUrl} failed`,
        { hash: txHash(tx) },
        { cause },
      );
    }
    const hash = hex(r.hash);
    if (r.checkTx.code !== 0) {
      return {
        hash,
        code: r.checkTx.code,
        log: r.checkTx.log ?? "",
        codespace: r.checkTx.codespace ?? "",
        height: 0,
        phase: "check",
        events: [],
      };
    }
    const result = r.txResult ?? r.deliverTx;
    return {
      hash,
      code: result?.code ?? 0,
      log: result?.log ?? "",
      codespace: result?.codespace ?? "",
      height: r.height,
      phase: "deliver",
      events: (result?.events ?? []).map((e) => ({ type: e.type, attributes: attributesOf(e.attributes) })),
    };
  }

  /** Raw ABCI query; returns the JSON value, or undefined when the ledger has no such record. */
  async query<T>(path: string): Promise<T | undefined> {
    let r: Awaited<ReturnType<Comet38Client["abciQuery"]>>;
    try {
      r = await this.#http.abciQuery({ path, data: new Uint8Array() });
    } catch (cause) {
      throw new ChainError("CHAIN_ERROR_QUERY", `query ${path} failed`, { path }, { cause });
    }
    if (r.code === QUERY_CODES.NOT_FOUND) return undefined;
    if (r.code !== 0)
      throw new ChainError("CHAIN_ERROR_QUERY", `query ${path}: ${r.log ?? `code ${r.code}`}`, { path, code: r.code });
    return JSON.parse(Buffer.from(r.value).toString("utf8")) as T;
  }

  async account(address: string): Promise<AccountView> {
    const raw = await this.query<{ address: Address; balance: string; nonce: number }>(
      `/account/${address.toLowerCase()}`,
    );
    if (!raw) throw new ChainError("CHAIN_ERROR_QUERY", "account query returned nothing", { address });
    return { address: raw.address, balance: BigInt(raw.balance), nonce: raw.nonce };
  }

  async zeta(zeta: string | Uint8Array): Promise<ZetaView> {
    const id = typeof zeta === "string" ? zeta.toLowerCase() : `0x${hex(zeta).toLowerCase()}`;
    return (await this.query<ZetaView>(`/zeta/${id.startsWith("0x") ? id : `0x${id}`}`)) ?? { status: "unknown" };
  }

  async credentialRequest(requestId: string): Promise<CredentialRequestView | undefined> {
    return this.query<CredentialRequestView>(`/credential_request/${requestId.toUpperCase()}`);
  }

  async transfer(ethTxHash: string, logIndex: number): Promise<TransferView | undefined> {
    return this.query<TransferView>(`/transfer/${ethTxHash.toLowerCase()}/${logIndex}`);
  }

  async params(): Promise<AppState> {
    const params = await this.query<AppState>("/params");
    if (!params) throw new ChainError("CHAIN_ERROR_QUERY", "the chain has no genesis params yet", {});
    return params;
  }

  /**
   * Calls `handler` for every event of `type` in committed txs, in block order. Returns the unsubscribe function.
   * Survives a restart of the node: it reconnects, resubscribes and replays what it missed from the tx index.
   */
  async subscribe(
    type: ChainEventType,
    handler: (event: ChainEvent) => void,
    options: SubscribeOptions = {},
  ): Promise<() => void> {
    if (!(type in EVENT_KEYS)) throw new TypeError(`type: unknown event type ${String(type)}`);
    const startHeight = options.fromHeight !== undefined ? options.fromHeight - 1 : await this.latestHeight();
    const subscription = new Subscription(this, type, handler, startHeight, this.#log, this.#reconnectDelayMs);
    this.#subscriptions.add(subscription);
    try {
      await subscription.start(options.fromHeight !== undefined);
    } catch (error) {
      subscription.stop();
      this.#subscriptions.delete(subscription);
      throw error;
    }
    return () => {
      subscription.stop();
      this.#subscriptions.delete(subscription);
    };
  }

  /** Txs with events of `type` at heights >= `fromHeight`, from CometBFT's tx index. */
  async searchEvents(type: ChainEventType, fromHeight: number): Promise<ChainEvent[]> {
    const query = `${type}.${EVENT_KEYS[type]} EXISTS AND tx.height >= ${Math.max(1, fromHeight)}`;
    const out: ChainEvent[] = [];
    for (let page = 1; ; page++) {
      const r = await this.#http.txSearch({ query, page, per_page: 100, order_by: "asc" });
      for (const tx of r.txs) out.push(...eventsOf(type, tx.result.events, tx.height, hex(tx.hash)));
      if (r.txs.length === 0 || page * 100 >= r.totalCount) break;
    }
    return out;
  }

  get wsUrl(): string {
    return this.#wsUrl;
  }

  close(): void {
    for (const s of this.#subscriptions) s.stop();
    this.#subscriptions.clear();
    this.#http.disconnect();
  }
}

interface SocketInternals {
  socket: {
    connectionStatus: { value: number; updates: { subscribe(l: { next(v: number): void }): { unsubscribe(): void } } };
  };
}
const DISCONNECTED = 3;

class Subscription {
  #ws: WebsocketClient | undefined;
  #client: Comet38Client | undefined;
  #stopped = false;
  /** Lowest height still to deliver; a replay after a reconnect searches from here. */
  #floor: number;
  /** Highest height delivered so far, and the txs delivered at it, so a replay does not deliver them twice. */
  #top: number;
  #seenAtTop = new Set<string>();
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #statusSub: { unsubscribe(): void } | undefined;
  /** Live events that arrive while a replay runs wait here, so the replay's older events are delivered first. */
  #buffer: ChainEvent[] | undefined;

  constructor(
    readonly chain: ChainClient,
    readonly type: ChainEventType,
    readonly handler: (event: ChainEvent) => void,
    startHeight: number,
    readonly log: Logger | undefined,
    readonly baseDelayMs: number,
  ) {
    this.#floor = startHeight + 1;
    this.#top = startHeight;
  }

  async start(replay: boolean): Promise<void> {
    this.#open();
    if (replay) await this.#replay();
    // Wait for the websocket so events committed after subscribe() returns are not missed.
    await this.#ws?.connected();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#teardown();
  }

  #open(): void {
    const ws = new WebsocketClient(this.chain.wsUrl, () => this.#reconnect());
    this.#ws = ws;
    this.#client = Comet38Client.create(ws);
    const status = (ws as unknown as SocketInternals).socket.connectionStatus;
    this.#statusSub = status.updates.subscribe({
      next: (value) => {
        if (value === DISCONNECTED) this.#reconnect();
        else if (value === 2) this.#attempt = 0;
      },
    });
    const query = `tm.event='Tx' AND ${this.type}.${EVENT_KEYS[this.type]} EXISTS`;
    this.#client.subscribeTx(query).addListener({
      next: (event) => {
        const events = eventsOf(this.type, event.result.events, event.height, hex(event.hash));
        if (this.#buffer) this.#buffer.push(...events);
        else this.#deliver(events);
      },
      error: () => this.#reconnect(),
      complete: () => {},
    });
  }

  #teardown(): void {
    this.#statusSub?.unsubscribe();
    this.#statusSub = undefined;
    try {
      this.#ws?.disconnect();
    } catch {
      // never connected: nothing to close
    }
    // cosmjs's ReconnectingSocket schedules a reconnect whenever its socket reports "disconnected", also after an
    // explicit disconnect(): the new connection would never be closed and would keep the process alive after close().
    const reconnecting = (this.#ws as unknown as { socket?: { reconnectTimeout?: NodeJS.Timeout | null } } | undefined)
      ?.socket;
    if (reconnecting?.reconnectTimeout) {
      clearTimeout(reconnecting.reconnectTimeout);
      reconnecting.reconnectTimeout = null;
    }
    this.#ws = undefined;
    this.#client = undefined;
  }

  #reconnect(): void {
    if (this.#stopped || this.#timer) return;
    this.#teardown();
    const delay = Math.min(this.baseDelayMs * 2 ** this.#attempt++, 5_000);
    this.log?.debug({ type: this.type, delay }, "websocket lost, reconnecting");
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped) return;
      this.#open();
      this.#replay().catch((error) => {
        this.log?.debug({ err: error }, "replay after reconnect failed, retrying");
        this.#reconnect();
      });
    }, delay);
    this.#timer.unref?.();
  }

  async #replay(): Promise<void> {
    this.#buffer = this.#buffer ?? [];
    let events: ChainEvent[];
    try {
      events = await this.chain.searchEvents(this.type, Math.max(1, this.#floor));
    } catch (error) {
      // Nothing delivered, the floor has not moved: the next replay finds the buffered events in the index too.
      this.#buffer = undefined;
      throw error;
    }
    const live = this.#buffer;
    this.#buffer = undefined;
    this.#deliver(events);
    this.#deliver(live);
  }

  #deliver(events: ChainEvent[]): void {
    for (const event of events) {
      if (this.#stopped) return;
      if (event.height < this.#floor) continue;
      if (event.height === this.#top && this.#seenAtTop.has(event.txHash)) continue;
      if (event.height > this.#top) {
        this.#top = event.height;
        this.#seenAtTop = new Set();
      }
      this.#floor = this.#top;
      this.#seenAtTop.add(event.txHash);
      try {
        this.handler(event);
      } catch (error) {
        this.log?.error({ err: error, type: this.type }, "event handler threw");
      }
    }
  }
}

function eventsOf(
  type: ChainEventType,
  events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[],
  height: number,
  hash: string,
): ChainEvent[] {
  return events
    .filter((e) => e.type === type)
    .map((e) => ({ type, attributes: attributesOf(e.attributes), height, txHash: hash }));
}

function attributesOf(attributes: readonly { key: string; value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attributes) out[a.key] = a.value;
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex").toUpperCase();
}

/** Connects a `ChainClient` to a CometBFT RPC endpoint (`http://host:port`). */
export function connectChain(options: ChainClientOptions): Promise<ChainClient> {
  return ChainClient.connect(options);
}
